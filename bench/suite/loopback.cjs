// Preloaded into @modelcontextprotocol/server-everything by bench/suite/run.sh
// (`node --require loopback.cjs …`): the server calls app.listen(PORT) and would bind every
// interface; this makes a listen() with a port and no host bind 127.0.0.1 only.
'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if ((typeof args[0] === 'number' || typeof args[0] === 'string') && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
