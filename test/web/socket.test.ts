import { describe, expect, it } from 'vitest';
import { SocketRefusal } from '../../shared/index.ts';
import { refusalOf } from '../../web/src/lib/api/socket.ts';

describe(refusalOf.name, () => {
  it.each(SocketRefusal.options)('should read the server’s refusal %s', (why) => {
    expect(refusalOf(new Error(why))).toBe(why);
  });

  it.each(['websocket error', 'timeout', 'Unauthorized', ''])('should not take %j for a refusal by the server', (message) => {
    expect(refusalOf(new Error(message))).toBeNull();
  });
});
