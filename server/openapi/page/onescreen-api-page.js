/*
 * The API page's initialiser (served as a file: the server's CSP allows no inline script).
 * Swagger UI reads the description from our own server and sends "Try it out" requests to the
 * same origin, where the browser adds the session cookie by itself. No validator badge: it would
 * be fetched from validator.swagger.io, and nothing may be loaded from outside (isolated networks).
 */
/* global SwaggerUIBundle */
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    deepLinking: true,
    displayOperationId: false,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    supportedSubmitMethods: ['get', 'post', 'delete'],
  });
});
