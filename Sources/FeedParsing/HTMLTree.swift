internal import CLibXML2

/// libxml2's HTML parser, used for plain-text rendering and for reading pages that are not feeds.
enum HTMLTree {
    /// What a walk does after visiting a node.
    enum Step {
        case descend
        case skipChildren
        case stop
    }

    /// Parses `bytes` as HTML (recovering, silent, no network), runs `body` on the document, and frees it.
    /// - Parameters:
    ///   - encoding: the bytes' encoding, or nil to let libxml2 detect it.
    ///   - fragment: parse without adding the implied `<html>`/`<body>` elements.
    static func withDocument<Result>(
        _ bytes: UnsafeRawBufferPointer, encoding: String?, fragment: Bool, _ body: (htmlDocPtr) -> Result
    ) -> Result? {
        var options = HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue
        if fragment { options |= HTML_PARSE_NOIMPLIED.rawValue | HTML_PARSE_COMPACT.rawValue }
        // The options silence the parser's errors, but not those libxml2 raises outside it (an encoding it detects
        // from the first bytes and then fails to convert): those would go to standard error. Silent as well.
        xmlSetStructuredErrorFunc(nil, ignoreError)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        let document = htmlReadMemory(
            bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, encoding, Int32(options))
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        return body(document)
    }

    /// Depth-first walk from `first` and its siblings, with an explicit stack so that deeply nested markup
    /// cannot overflow the call stack. `leave` is called for each node whose children were walked.
    static func walk(_ first: xmlNodePtr?, enter: (xmlNodePtr) -> Step, leave: (xmlNodePtr) -> Void = { _ in }) {
        var stack: [xmlNodePtr] = []
        var node = first
        while true {
            while let current = node {
                switch enter(current) {
                case .stop:
                    return
                case .descend where current.pointee.children != nil:
                    stack.append(current)
                    node = current.pointee.children
                case .descend, .skipChildren:
                    node = current.pointee.next
                }
            }
            guard let parent = stack.popLast() else { return }
            leave(parent)
            node = parent.pointee.next
        }
    }

    /// The lower-cased name of an element node.
    static func elementName(_ node: xmlNodePtr) -> String? {
        guard node.pointee.type == XML_ELEMENT_NODE, let name = node.pointee.name else { return nil }
        return String(cString: name).lowercased()
    }
}

private let ignoreError: xmlStructuredErrorFunc = { _, _ in }
