// Runs sandboxed in an isolated world. The page gets `janixBridge.request()` and nothing else: ipcRenderer,
// the port to the core host and the client's other methods stay here.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL_NAME, type JanixBridge } from '../shared/bridge';
import { BRIDGE_PORT_CHANNEL } from '../shared/process-contract';
import { createBridgeClient } from './bridge-client';

const client = createBridgeClient();

// Only main sends on this channel (renderers cannot message each other since Electron 28).
ipcRenderer.on(BRIDGE_PORT_CHANNEL, (event) => {
  const port = event.ports[0];
  if (port) client.usePort(port);
});

const bridge: JanixBridge = { request: (req) => client.request(req) };
contextBridge.exposeInMainWorld(BRIDGE_GLOBAL_NAME, bridge);
