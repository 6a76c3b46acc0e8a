import Pipeline

/// Loads `--plugin` libraries into the shared stage registry; a bad one is a one-line error naming it.
func loadPlugins(_ paths: [String]) throws {
    for path in paths {
        do { try PluginLoader.load(path) } catch let e as PipelineError { throw CLIError(e.description) }
    }
}
