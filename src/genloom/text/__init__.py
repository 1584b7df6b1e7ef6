"""Text and code generation: parameters, the model interface, tasks."""
