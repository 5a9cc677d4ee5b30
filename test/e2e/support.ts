// Shared support for the real-container suites (test/e2e/*.test.ts), one module per job:
//   engine.ts    the suite's private Docker engine; docker, docker-compose and a bundle's scripts
//   wait.ts      bounded waiting (waitFor, sleep), range, seconds
//   ports.ts     who listens on which port (/proc/net/tcp), free ports, ports owned by containers
//   srvr.ts      four-letter words from the host: modes, quorums, watching modes through a fault
//   client.ts    node-zookeeper-client as promises, with a real client's retries on ConnectionLoss
//   config.ts    what a member runs with (zoo.cfg, myid) against the generated conf/; image layouts
//   bundle.ts    generating a bundle with the built CLI; its members, ports and status.sh's table
//   scenario.ts  a scenario's gated steps and the checks the suites share
// This file re-exports them all, for a suite that imports from './support.js'.
//
// The images the suites run are LOCAL STAND-INS built by test/e2e/images/build.sh from Debian's
// ZooKeeper 3.8, each reproducing its image's behaviour as the image's own scripts have it — not
// the real images (unless ZKGEN_REAL_IMAGES=1, which pulls them). See test/e2e/images/build.sh.
//
// Rules every helper keeps: network traffic goes to loopback only (127.0.0.0/8); every wait is a
// bounded loop; a child process that overruns its time is killed by its own pid.
export * from './bundle.js';
export * from './client.js';
export * from './config.js';
export * from './engine.js';
export * from './ports.js';
export * from './scenario.js';
export * from './srvr.js';
export * from './wait.js';
