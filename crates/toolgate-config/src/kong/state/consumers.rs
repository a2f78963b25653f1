//! Consumers (with their key-auth keys and groups) and consumer groups.

use serde_norway::Value;

use super::{Consumer, Group, Reader, reference_by};
use crate::kong::fields::{Diag, Fields};

impl Reader {
    pub(super) fn group(&mut self, value: Value, path: &str, diag: &mut Diag) {
        let Some(mut f) = Fields::new(value, path, "a consumer group", diag) else {
            return;
        };
        f.informational(&["id", "tags", "created_at", "updated_at"]);
        let Some(name) = f.string("name", diag) else {
            diag.error(path, "a consumer group needs a `name`");
            return;
        };
        for (member_path, member) in f.list("consumers", diag) {
            if let Some(pending) = reference_by(member, &member_path, "username", diag) {
                self.group_members.push((name.clone(), pending));
            }
        }
        f.finish(
            "a consumer group",
            &["name", "id", "tags", "consumers"],
            diag,
        );
        self.state.groups.push(Group { name });
    }

    pub(super) fn consumer(&mut self, value: Value, path: &str, diag: &mut Diag) {
        let Some(mut f) = Fields::new(value, path, "a consumer", diag) else {
            return;
        };
        f.informational(&["tags", "created_at", "updated_at"]);
        let username = f.string("username", diag);
        let custom_id = f.string("custom_id", diag);
        let id = f.string("id", diag);
        let mut keys = Vec::new();
        for (key_path, credential) in f.list("keyauth_credentials", diag) {
            let Some(mut c) = Fields::new(credential, &key_path, "a key-auth credential", diag)
            else {
                continue;
            };
            c.informational(&["id", "tags", "created_at"]);
            c.only_default("ttl", &Value::Null, "keys do not expire here", diag);
            match c.string("key", diag) {
                Some(key) => keys.push(key),
                None => diag.error(
                    key_path.clone(),
                    "give the `key`: Kong would generate one, toolgate needs it in the file",
                ),
            }
            c.finish("a key-auth credential", &["key", "id", "tags"], diag);
        }
        let mut groups = Vec::new();
        for (group_path, group) in f.list("groups", diag) {
            match group {
                Value::String(name) => groups.push(name),
                other => {
                    let Some(mut g) = Fields::new(other, &group_path, "a group", diag) else {
                        continue;
                    };
                    g.informational(&["id", "tags"]);
                    match g.string("name", diag) {
                        Some(name) => groups.push(name),
                        None => diag.error(group_path.clone(), "a group reference needs a `name`"),
                    }
                    g.finish("a group reference", &["name", "id"], diag);
                }
            }
        }
        f.finish(
            "a consumer",
            &[
                "username",
                "custom_id",
                "id",
                "tags",
                "keyauth_credentials",
                "groups",
            ],
            diag,
        );
        self.state.consumers.push(Consumer {
            username,
            custom_id,
            id,
            keys,
            groups,
        });
    }
}
