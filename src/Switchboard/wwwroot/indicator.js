// The connection indicator every page shows: connecting, connected, reconnecting (with the retry delay), disconnected.
export function bindIndicator(client, element) {
  const show = ({ state, retryIn }) => {
    element.className = `indicator ${state}`;
    element.dataset.state = state;
    element.textContent = state === 'reconnecting' && retryIn != null ? `reconnecting (retry in ${(retryIn / 1000).toFixed(1)} s)` : state;
  };
  show({ state: client.state });
  client.on('state', show);
}

/** The page's WebSocket endpoint on the server that served it. */
export function endpoint() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
