/// A value of the Python literal subset that `.npy` headers use.
enum PythonLiteral: Equatable, CustomStringConvertible {
    case string(String), int(Int), bool(Bool), none
    case tuple([PythonLiteral]), list([PythonLiteral]), dict([String: PythonLiteral])

    var description: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .int(let n): String(n)
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let xs): "(" + xs.map(\.description).joined(separator: ", ") + ")"
        case .list(let xs): "[" + xs.map(\.description).joined(separator: ", ") + "]"
        case .dict(let d): "{" + d.keys.sorted().map { "'\($0)': \(d[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Recursive-descent parser for Python literals: dicts with string keys, tuples, lists,
/// quoted strings, integers (an old `L` suffix allowed), True/False/None. Bounded nesting,
/// no allocation beyond the result; pure over its input.
struct PythonLiteralParser {
    struct Failure: Error { var message: String; var position: Int }

    private let s: [Unicode.Scalar]
    private var i = 0
    private var depth = 0
    static let maximumDepth = 32

    init(_ scalars: [Unicode.Scalar]) { s = scalars }

    /// One literal followed only by whitespace.
    mutating func parseTopLevel() throws -> PythonLiteral {
        let v = try value()
        skipSpace()
        guard i == s.count else { throw Failure(message: "unexpected '\(s[i])' after the literal", position: i) }
        return v
    }

    private mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" || s[i] == "\r" { i += 1 }
    }

    private mutating func value() throws -> PythonLiteral {
        skipSpace()
        guard i < s.count else { throw Failure(message: "unexpected end", position: i) }
        switch s[i] {
        case "{": return try nested { try $0.dictBody() }
        case "(": return try nested { .tuple(try $0.sequence(close: ")")) }
        case "[": return try nested { .list(try $0.sequence(close: "]")) }
        case "'", "\"": return .string(try string())
        case "-", "0"..."9": return .int(try integer())
        default:
            for (word, v) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
                let w = Array(word.unicodeScalars)
                if i + w.count <= s.count, Array(s[i..<(i + w.count)]) == w { i += w.count; return v }
            }
            throw Failure(message: "unexpected '\(s[i])'", position: i)
        }
    }

    private mutating func nested(_ body: (inout PythonLiteralParser) throws -> PythonLiteral) throws -> PythonLiteral {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw Failure(message: "nesting deeper than \(Self.maximumDepth)", position: i) }
        i += 1  // opening bracket
        return try body(&self)
    }

    private mutating func dictBody() throws -> PythonLiteral {
        var d: [String: PythonLiteral] = [:]
        while true {
            skipSpace()
            guard i < s.count else { throw Failure(message: "unterminated dict", position: i) }
            if s[i] == "}" { i += 1; return .dict(d) }
            guard s[i] == "'" || s[i] == "\"" else { throw Failure(message: "expected a string key", position: i) }
            let key = try string()
            skipSpace()
            guard i < s.count, s[i] == ":" else { throw Failure(message: "expected ':'", position: i) }
            i += 1
            d[key] = try value()
            skipSpace()
            guard i < s.count else { throw Failure(message: "unterminated dict", position: i) }
            if s[i] == "," { i += 1 } else if s[i] != "}" { throw Failure(message: "expected ',' or '}'", position: i) }
        }
    }

    private mutating func sequence(close: Unicode.Scalar) throws -> [PythonLiteral] {
        var items: [PythonLiteral] = []
        while true {
            skipSpace()
            guard i < s.count else { throw Failure(message: "unterminated sequence", position: i) }
            if s[i] == close { i += 1; return items }
            items.append(try value())
            skipSpace()
            guard i < s.count else { throw Failure(message: "unterminated sequence", position: i) }
            if s[i] == "," { i += 1 } else if s[i] != close { throw Failure(message: "expected ',' or '\(close)'", position: i) }
        }
    }

    private mutating func string() throws -> String {
        let quote = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            i += 1
            if c == quote { return String(out) }
            if c == "\\" {
                guard i < s.count else { break }
                out.append(s[i])
                i += 1
            } else {
                out.append(c)
            }
        }
        throw Failure(message: "unterminated string", position: i)
    }

    private mutating func integer() throws -> Int {
        let start = i
        var negative = false
        if s[i] == "-" { negative = true; i += 1 }
        var n = 0
        var digits = 0
        while i < s.count, ("0"..."9").contains(s[i]) {
            let d = Int(s[i].value) - 48
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { throw Failure(message: "integer too large", position: start) }
            n = a
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw Failure(message: "expected digits", position: start) }
        if i < s.count, s[i] == "L" || s[i] == "l" { i += 1 }
        return negative ? -n : n
    }
}
