internal import CLibXML2
import Synchronization

/// HTML named entities (`&eacute;`, `&nbsp;`) as libxml2 entity objects, so that RSS which uses them without
/// declaring a DTD parses cleanly. Entities are created on first use and kept for the process's life: there
/// are at most 253 of them, and libxml2 offers no public way to free a standalone entity.
final class HTMLEntityTable: Sendable {
    static let shared = HTMLEntityTable()

    /// Entity pointers are immutable once created and only ever read by libxml2.
    private struct EntityPointer: @unchecked Sendable { let pointer: xmlEntityPtr }
    private let entities = Mutex<[String: EntityPointer]>([:])

    /// The predefined-type entity for an HTML entity name, or nil when HTML has no such entity.
    func entity(named namePointer: UnsafePointer<xmlChar>) -> xmlEntityPtr? {
        let name = String(cString: namePointer)
        let found = entities.withLock { table -> EntityPointer? in
            if let known = table[name] { return known }
            guard let description = htmlEntityLookup(namePointer),
                let scalar = Unicode.Scalar(description.pointee.value)
            else { return nil }
            let text = String(Character(scalar))
            let entity = text.withCString { content in
                xmlNewEntity(
                    nil, namePointer, Int32(XML_INTERNAL_PREDEFINED_ENTITY.rawValue), nil, nil,
                    UnsafeRawPointer(content).assumingMemoryBound(to: xmlChar.self))
            }
            guard let entity else { return nil }
            table[name] = EntityPointer(pointer: entity)
            return EntityPointer(pointer: entity)
        }
        return found?.pointer
    }
}
