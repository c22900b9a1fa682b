export { labUp, startNodeAgent, restartNodeAgent, restartLabEtcd, readState, adminKubeconfig, consoleProgress, LabError, type LabState, type Progress } from './up.js';
export { labDown, type DownReport } from './down.js';
export { labStatus } from './status.js';
export { labSpec, type LabSpec, type LabFlags } from './spec.js';
export { labDir, netnsName, nodeDir } from './paths.js';
export { labExec, labKubeconfig, partNetns } from './exec.js';
export { upSummary } from './summary.js';
