import Foundation
import LienThongCore
import LienThongSpool

/// Where the office drops what it issues (SPEC §2, §7): `office/outbox/`
/// and one folder per recipient group under it.
extension GatewaySettings {
    var recipientResolver: RecipientResolver { Self.recipientResolver(config) }

    static func recipientResolver(_ config: GatewayConfig) -> RecipientResolver {
        RecipientResolver(registry: config.registry, groups: config.fanout.groups, office: config.office)
    }

    /// The office's own registry row (its signer binds outbound signatures).
    var officeUnit: LienThongCore.Unit {
        config.registry[config.office] ?? LienThongCore.Unit(id: config.office, name: config.office, level: .province)
    }

    /// "" for `office/outbox/` itself, the group's name for a group folder,
    /// nil for any other folder.
    func officeAddress(forOutbox root: String) -> String? {
        if root == layout.officeOutbox { return "" }
        guard root.hasPrefix(layout.officeOutbox + "/") else { return nil }
        let name = String(root.dropFirst(layout.officeOutbox.count + 1))
        return !name.contains("/") && recipientResolver.isGroup(name) ? name : nil
    }

    func officeOutbox(forAddress group: String) -> String {
        group.isEmpty ? layout.officeOutbox : layout.officeOutbox + "/" + group
    }

    /// Makes the group folders, so the office's clerks see where to drop.
    /// A symbolic link in a group folder's place is left alone (the watch
    /// reports it and never goes through it); anything else throws.
    public func createOfficeFolders() throws {
        for dir in officeOutboxes {
            do { try DurableFS.makeDirectories(dir, mode: SpoolLayout.clerkFolderMode, exact: true) } catch let e as SpoolError where e.plantedSymlink != nil {
                continue
            }
        }
    }
}
