// Where the API is. `make dev` serves a generated /config.js instead of this file, and
// infra/deploy.sh uploads one naming the deployed API. Without either, the page uses
// ?api=<url> or the same host on port 8000 (see README, "Web client").
window.FLINT_CONFIG = window.FLINT_CONFIG || { api: null, localHelpers: false };
