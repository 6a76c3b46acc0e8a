import Foundation
import Hummingbird
import Logging

/// `musicvae serve`: the explorer's API and page on an HTTP server (Hummingbird), until SIGINT or SIGTERM.
public struct ExplorerServer: Sendable {
    /// The interface to listen on (loopback by default).
    public var host: String
    /// The port (0: any free port; the one chosen is printed).
    public var port: Int
    /// The API it serves.
    public var api: ExplorerAPI

    /// A server.
    public init(host: String = "127.0.0.1", port: Int = 8080, api: ExplorerAPI) {
        self.host = host
        self.port = port
        self.api = api
    }

    /// Whether `host` is a loopback address (the only kind served without asking).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Runs until a signal stops it; `listening` gets "http://HOST:PORT" once the socket is bound.
    public func run(listening: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "musicvae.serve")
        logger.logLevel = .warning
        let host = self.host
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "musicvae"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                listening("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger)
        try await app.runService()
    }
}
