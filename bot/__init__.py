"""App assembly: configuration, entry point, dispatcher, middlewares, outgoing-message sender."""
