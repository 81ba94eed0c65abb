/**
 * How a venue gateway lets go of one of its WebSockets, venue-neutral: `discard` forgets a socket at once
 * (listeners off, errors swallowed, terminated), `closeSocket` does the same and waits for it to be closed
 * (stop paths, so nothing is left behind a stopped gateway). No I/O of its own beyond the socket's.
 */
import WebSocket from 'ws';

export function discardSocket(socket: WebSocket): void {
  socket.removeAllListeners();
  socket.on('error', () => undefined);
  socket.terminate();
}

export async function closeSocket(socket: WebSocket): Promise<void> {
  socket.removeAllListeners();
  socket.on('error', () => undefined);
  if (socket.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.terminate();
  });
}
