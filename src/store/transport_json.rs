//! JSON documents of the transport tables (shared by both backends).

use super::StoreError;

pub(super) fn encode_doc<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        seq: 0,
        message: format!("encoding a transport document: {e}"),
    })
}

pub(super) fn decode_doc<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        seq: 0,
        message: format!("decoding a transport document: {e}"),
    })
}
