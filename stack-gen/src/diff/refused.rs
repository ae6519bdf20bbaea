//! Settings a service refuses to change after creation although AWS's resource
//! schema lets CloudFormation try an in-place update. The update fails and the stack
//! rolls back; only a new resource (a new logical id) applies the change.
//!
//! Each entry cites the service's own documentation. The provider schemas cfn-lint
//! ships (and the older resource specification) mark these properties updatable.

use serde_json::Value;

use super::path::{Path, Segment};

/// One refused setting.
struct Refusal {
    type_name: &'static str,
    property: &'static str,
    reason: &'static str,
    /// Whether adding a new, optional element to the list is accepted in place.
    accepts_new_optional_elements: bool,
}

const COGNITO_GUIDE: &str = "Amazon Cognito Developer Guide, \"Updating user pool and app client configuration\", settings you can't change";

const REFUSALS: [Refusal; 4] = [
    Refusal {
        type_name: "AWS::Cognito::UserPool",
        property: "UsernameAttributes",
        reason: "Cognito cannot change a user pool's sign-in attributes after creation",
        accepts_new_optional_elements: false,
    },
    Refusal {
        type_name: "AWS::Cognito::UserPool",
        property: "AliasAttributes",
        reason: "Cognito cannot change a user pool's sign-in attributes after creation",
        accepts_new_optional_elements: false,
    },
    Refusal {
        type_name: "AWS::Cognito::UserPool",
        property: "UsernameConfiguration",
        reason: "Cognito cannot change a user pool's user name case sensitivity after creation",
        accepts_new_optional_elements: false,
    },
    Refusal {
        type_name: "AWS::Cognito::UserPool",
        property: "Schema",
        reason: "Cognito cannot change or remove a user pool's attributes, or which are required, after creation (it only adds new optional custom attributes)",
        accepts_new_optional_elements: true,
    },
];

/// Why the service refuses the change at `path` (to `new`), if it does.
pub fn refusal(type_name: &str, path: &Path, new: Option<&Value>) -> Option<String> {
    let refusal = REFUSALS
        .iter()
        .find(|r| r.type_name == type_name && path.top() == Some(r.property))?;
    let adds_optional_element = matches!(path.segments(), [Segment::Key(_), element] if element.is_element())
        && new.is_some_and(|element| element.get("Required") != Some(&Value::Bool(true)));
    if refusal.accepts_new_optional_elements && adds_optional_element {
        return None;
    }
    Some(format!("{} ({COGNITO_GUIDE})", refusal.reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sign_in_attributes_are_refused() {
        let reason = refusal(
            "AWS::Cognito::UserPool",
            &Path::key("UsernameAttributes"),
            Some(&json!(["phone_number"])),
        );
        assert!(reason.unwrap().contains("sign-in attributes"));
        assert_eq!(
            refusal("AWS::Cognito::UserPool", &Path::key("Policies"), None),
            None
        );
    }

    #[test]
    fn a_new_optional_custom_attribute_is_accepted() {
        let element = Path::key("Schema").child(Segment::Item {
            field: "Name",
            value: "team".into(),
        });
        let optional = json!({"Name": "team", "AttributeDataType": "String"});
        assert_eq!(
            refusal("AWS::Cognito::UserPool", &element, Some(&optional)),
            None
        );
        let required = json!({"Name": "team", "Required": true});
        assert!(refusal("AWS::Cognito::UserPool", &element, Some(&required)).is_some());
        let changed = element.child(Segment::Key("Mutable".into()));
        assert!(refusal("AWS::Cognito::UserPool", &changed, Some(&json!(false))).is_some());
    }
}
