//! `X-Twilio-Signature`, exactly as the provider documents it: take the full URL it requested
//! (scheme, host, path and query string), append every POST parameter sorted by name as
//! name + value with no separators, compute HMAC-SHA1 over that with the account's auth token as
//! the key, and base64-encode the digest.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The string that is signed.
fn signed_data(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    data
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    // HMAC accepts keys of any length.
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(signed_data(url, params).as_bytes());
    mac
}

/// The signature the provider sends for this request (the provider's side: the unit tests sign
/// with it).
#[cfg(test)]
pub(crate) fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `header` is the request's signature (compared in constant time). An empty auth
/// token verifies nothing.
pub(crate) fn verify(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: &str,
) -> bool {
    if auth_token.is_empty() {
        return false;
    }
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use crate::telephony::signature::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_signed_string_is_the_url_then_sorted_names_and_values() {
        let params = pairs(&[
            ("To", "+40256000000"),
            ("CallSid", "CA1"),
            ("From", "+40700"),
        ]);
        assert_eq!(
            signed_data("https://x.ro/telephony/voice?a=1", &params),
            "https://x.ro/telephony/voice?a=1CallSidCA1From+40700To+40256000000"
        );
    }

    #[test]
    fn a_signature_verifies_only_with_the_same_token_url_and_params() {
        let params = pairs(&[("CallSid", "CA1"), ("From", "+40700000001")]);
        let url = "https://dispecer.example/telephony/voice";
        let sig = sign("secret", url, &params);
        assert!(verify("secret", url, &params, &sig));
        assert!(!verify("other", url, &params, &sig));
        assert!(!verify(
            "secret",
            "https://dispecer.example/telephony/sms",
            &params,
            &sig
        ));
        let changed = pairs(&[("CallSid", "CA1"), ("From", "+40700000002")]);
        assert!(!verify("secret", url, &changed, &sig));
        assert!(!verify("secret", url, &params, "not base64!"));
        assert!(!verify("", url, &params, &sign("", url, &params)));
    }
}
