"""What the server owns, as the pages use it (core/serve's side of ui/): the run store's handle."""
