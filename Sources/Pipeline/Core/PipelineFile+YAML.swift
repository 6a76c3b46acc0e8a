import Foundation
import Yams

// MARK: - Writing a pipeline file

extension PipelineFile {
    /// The file as YAML that `PipelineFile(text:path:)` reads back to the same inputs, variables and stages
    /// (`extends:` and `chains:` already expanded), built as a YAML node tree, never by pasting text. `comments`
    /// become the `#` lines at the top. Plugins are not written (a file made through the API has none to name).
    public func yaml(comments: [String] = []) throws -> String {
        // An empty text is quoted: written plain it would read back as null.
        func scalar(_ text: String) -> Node { text.isEmpty ? Node("", .implicit, .singleQuoted) : Node(text) }
        func flow(_ pairs: [(Node, Node)]) -> Node { Node.mapping(Node.Mapping(pairs, .implicit, .flow)) }
        var top: [(Node, Node)] = []
        if !inputs.isEmpty {
            top.append((scalar("inputs"), Node.sequence(Node.Sequence(inputs.map(scalar), .implicit, .flow))))
        }
        if !variables.isEmpty {
            // In the order they stand in the file, then by name (variables set through the API have no place).
            let ordered = variables.sorted { ($0.value.location.line, $0.key) < ($1.value.location.line, $1.key) }
            top.append((scalar("vars"), Node.mapping(Node.Mapping(ordered.map { (scalar($0.key), scalar($0.value.value)) }))))
        }
        let stageNodes: [Node] = stages.map { stage in
            var pairs: [(Node, Node)] = []
            if let name = stage.name { pairs.append((scalar("name"), scalar(name))) }
            pairs.append((scalar(stage.kind), flow(stage.parameters.map { (scalar($0.name), scalar($0.text)) })))
            if let from = stage.from {
                pairs.append((scalar("from"), Node.sequence(Node.Sequence(from.map { scalar($0.name) }, .implicit, .flow))))
            }
            return Node.mapping(Node.Mapping(pairs))
        }
        top.append((scalar("stages"), Node.sequence(Node.Sequence(stageNodes))))
        let body = try Yams.serialize(node: Node.mapping(Node.Mapping(top)), width: -1)
        return comments.map { $0.isEmpty ? "#\n" : "# \($0)\n" }.joined() + body
    }
}
