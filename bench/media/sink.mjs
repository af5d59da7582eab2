// The receiving end of the media benchmark, in its own process: one UDP socket on 127.0.0.1 that
// every consumer's PlainTransport sends to. Prints {"port":N}; answers {cmd:'count'} with packets so far.
import { createSocket } from 'node:dgram';

let packets = 0;
const sock = createSocket('udp4');
sock.on('message', () => packets++);
sock.bind(0, '127.0.0.1', () => console.log(JSON.stringify({ port: sock.address().port })));
process.on('message', (m) => {
  if (m.cmd === 'count') process.send({ packets });
  else if (m.cmd === 'exit') process.exit(0);
});
