export { BrokerTestProbe, type ProbedBroadcast } from './broker-test-probe.js';
export { createTestBroker } from './create-test-broker.js';
export { createTestScheduler, reduceErrors, type DeepEqual } from './create-test-scheduler.js';
export { recordingActor, type RecordingActor } from './recording-actor.js';
