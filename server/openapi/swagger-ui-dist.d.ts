/** swagger-ui-dist ships no types; this is the one function the server uses. */
declare module 'swagger-ui-dist/absolute-path.js' {
  /** the package's directory on disk */
  const getAbsoluteFSPath: () => string;
  export default getAbsoluteFSPath;
}
