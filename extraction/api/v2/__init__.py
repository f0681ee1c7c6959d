"""The v2 extract API and the beta routes the llama-cloud 2.x SDK uses."""
