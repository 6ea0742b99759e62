//! Every GUID the callout uses, in one place.
//!
//! The six connsec keys were generated once (`/proc/sys/kernel/random/uuid`, random version-4
//! GUIDs) when the callout was written and must never change: they name the objects in the
//! filter engine (`netsh wfp show filters`, `Get-NetFirewall*` tools and the ETW events print
//! them), and `ALREADY_EXISTS` errors from a previous load are recognised by them.
//!
//! The two layer keys are Microsoft's values, copied from the SDK header `fwpmu.h` (also
//! `fwpmk.h` in the WDK), which declares them with `DEFINE_GUID`:
//!
//! ```c
//! // c38d57d1-05a7-4c33-904f-7fbceee60e82
//! DEFINE_GUID(FWPM_LAYER_ALE_AUTH_CONNECT_V4, 0xc38d57d1, 0x05a7, 0x4c33,
//!             0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82);
//! // 4a72393b-319f-44bc-84c3-ba54dcb3b6b4
//! DEFINE_GUID(FWPM_LAYER_ALE_AUTH_CONNECT_V6, 0x4a72393b, 0x319f, 0x44bc,
//!             0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4);
//! ```
//!
//! windows-rs `Win32::NetworkManagement::WindowsFilteringPlatform` has the same values
//! (`GUID::from_u128(0xc38d57d1_05a7_4c33_904f_7fbceee60e82)`, `…0x4a72393b_319f_44bc_84c3_ba54dcb3b6b4`).
//! The driver uses these constants instead of the headers' `extern` GUID symbols, which need
//! `INITGUID` to be defined at link time (`guiddef.h`: without it, `DEFINE_GUID` only declares an
//! `extern` GUID).

use connsec_nt::Guid;

/// `FWPM_LAYER_ALE_AUTH_CONNECT_V4` (SDK `fwpmu.h`).
pub const FWPM_LAYER_ALE_AUTH_CONNECT_V4: Guid =
    Guid::from_u128(0xc38d57d1_05a7_4c33_904f_7fbceee60e82);

/// `FWPM_LAYER_ALE_AUTH_CONNECT_V6` (SDK `fwpmu.h`).
pub const FWPM_LAYER_ALE_AUTH_CONNECT_V6: Guid =
    Guid::from_u128(0x4a72393b_319f_44bc_84c3_ba54dcb3b6b4);

/// The connsec provider (`FWPM_PROVIDER0.providerKey`); every connsec object names it.
pub const PROVIDER: Guid = Guid::from_u128(0x435acc9a_27a2_4542_9817_708906506374);

/// The connsec sublayer (`FWPM_SUBLAYER0.subLayerKey`) holding both filters.
pub const SUBLAYER: Guid = Guid::from_u128(0xf722ec3d_d8e6_4cd4_aa81_610e42c83d72);

/// The callout at `ALE_AUTH_CONNECT_V4` (`FWPS_CALLOUT3.calloutKey` = `FWPM_CALLOUT0.calloutKey`).
pub const CALLOUT_V4: Guid = Guid::from_u128(0x81a48a5e_e8b2_4ca1_a4bc_8f86510f4a12);

/// The callout at `ALE_AUTH_CONNECT_V6`.
pub const CALLOUT_V6: Guid = Guid::from_u128(0xde10a268_61c8_46e8_9184_f6d3f3a8a77b);

/// The filter at `ALE_AUTH_CONNECT_V4` whose action is [`CALLOUT_V4`].
pub const FILTER_V4: Guid = Guid::from_u128(0x6e3340a0_7dd6_4a3e_ab01_af20ba9fa336);

/// The filter at `ALE_AUTH_CONNECT_V6` whose action is [`CALLOUT_V6`].
pub const FILTER_V6: Guid = Guid::from_u128(0xf6f05cf4_7ead_4e49_8059_202d4e985bb3);

/// The connsec-owned keys, with their names, for listings and uniqueness checks.
pub const OWN: [(&str, Guid); 6] = [
    ("provider", PROVIDER),
    ("sublayer", SUBLAYER),
    ("callout v4", CALLOUT_V4),
    ("callout v6", CALLOUT_V6),
    ("filter v4", FILTER_V4),
    ("filter v6", FILTER_V6),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::format;

    #[test]
    fn own_keys_are_distinct_random_guids_and_not_layer_keys() {
        let mut seen = BTreeSet::new();
        for (name, key) in OWN {
            assert!(seen.insert(key), "{name} repeats a key");
            assert_ne!(key, FWPM_LAYER_ALE_AUTH_CONNECT_V4, "{name}");
            assert_ne!(key, FWPM_LAYER_ALE_AUTH_CONNECT_V6, "{name}");
            // RFC 4122 version 4, variant 10xx: what uuidgen/the kernel generator produce.
            assert_eq!(key.data3() >> 12, 4, "{name} is not a version-4 GUID");
            assert_eq!(key.data4()[0] >> 6, 0b10, "{name} has the wrong variant");
        }
    }

    #[test]
    fn layer_keys_match_the_sdk_text() {
        assert_eq!(
            format!("{FWPM_LAYER_ALE_AUTH_CONNECT_V4:#}"),
            "c38d57d1-05a7-4c33-904f-7fbceee60e82"
        );
        assert_eq!(
            format!("{FWPM_LAYER_ALE_AUTH_CONNECT_V6:#}"),
            "4a72393b-319f-44bc-84c3-ba54dcb3b6b4"
        );
        // The DEFINE_GUID field split, field by field.
        assert_eq!(FWPM_LAYER_ALE_AUTH_CONNECT_V6.data1(), 0x4a72_393b);
        assert_eq!(FWPM_LAYER_ALE_AUTH_CONNECT_V6.data2(), 0x319f);
        assert_eq!(FWPM_LAYER_ALE_AUTH_CONNECT_V6.data3(), 0x44bc);
        assert_eq!(
            FWPM_LAYER_ALE_AUTH_CONNECT_V6.data4(),
            [0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4]
        );
    }
}
