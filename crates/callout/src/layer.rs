//! The two layers connsec classifies at, and everything that is per layer.

use connsec_nt::Guid;

use crate::keys;

/// A layer the connsec callout is registered at.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Layer {
    /// `FWPM_LAYER_ALE_AUTH_CONNECT_V4`: outgoing IPv4 connection attempts (TCP connect, first
    /// UDP send to a peer), once per connection, not per packet.
    AleAuthConnectV4,
    /// `FWPM_LAYER_ALE_AUTH_CONNECT_V6`: the same for IPv6.
    AleAuthConnectV6,
}

impl Layer {
    /// Both layers, in registration order.
    pub const ALL: [Self; 2] = [Self::AleAuthConnectV4, Self::AleAuthConnectV6];

    /// The management layer key (`FWPM_CALLOUT0.applicableLayer`, `FWPM_FILTER0.layerKey`).
    #[must_use]
    pub const fn layer_key(self) -> Guid {
        match self {
            Self::AleAuthConnectV4 => keys::FWPM_LAYER_ALE_AUTH_CONNECT_V4,
            Self::AleAuthConnectV6 => keys::FWPM_LAYER_ALE_AUTH_CONNECT_V6,
        }
    }

    /// The connsec callout key for this layer.
    #[must_use]
    pub const fn callout_key(self) -> Guid {
        match self {
            Self::AleAuthConnectV4 => keys::CALLOUT_V4,
            Self::AleAuthConnectV6 => keys::CALLOUT_V6,
        }
    }

    /// The connsec filter key for this layer.
    #[must_use]
    pub const fn filter_key(self) -> Guid {
        match self {
            Self::AleAuthConnectV4 => keys::FILTER_V4,
            Self::AleAuthConnectV6 => keys::FILTER_V6,
        }
    }

    /// The SDK name of the layer, as events and logs print it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::AleAuthConnectV4 => "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            Self::AleAuthConnectV6 => "FWPM_LAYER_ALE_AUTH_CONNECT_V6",
        }
    }

    /// A short label, `"v4"` or `"v6"`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::AleAuthConnectV4 => "v4",
            Self::AleAuthConnectV6 => "v6",
        }
    }

    /// The callout's display name (`FWPM_CALLOUT0.displayData.name`).
    #[must_use]
    pub const fn callout_name(self) -> &'static str {
        match self {
            Self::AleAuthConnectV4 => CALLOUT_NAME_V4,
            Self::AleAuthConnectV6 => CALLOUT_NAME_V6,
        }
    }

    /// [`Layer::callout_name`] as NUL-terminated UTF-16.
    #[must_use]
    pub const fn callout_name_wide(self) -> &'static [u16] {
        match self {
            Self::AleAuthConnectV4 => connsec_nt::wide!(CALLOUT_NAME_V4),
            Self::AleAuthConnectV6 => connsec_nt::wide!(CALLOUT_NAME_V6),
        }
    }

    /// The filter's display name (`FWPM_FILTER0.displayData.name`).
    #[must_use]
    pub const fn filter_name(self) -> &'static str {
        match self {
            Self::AleAuthConnectV4 => FILTER_NAME_V4,
            Self::AleAuthConnectV6 => FILTER_NAME_V6,
        }
    }

    /// [`Layer::filter_name`] as NUL-terminated UTF-16.
    #[must_use]
    pub const fn filter_name_wide(self) -> &'static [u16] {
        match self {
            Self::AleAuthConnectV4 => connsec_nt::wide!(FILTER_NAME_V4),
            Self::AleAuthConnectV6 => connsec_nt::wide!(FILTER_NAME_V6),
        }
    }
}

const CALLOUT_NAME_V4: &str = "connsec ALE auth-connect v4 counting callout";
const CALLOUT_NAME_V6: &str = "connsec ALE auth-connect v6 counting callout";
const FILTER_NAME_V4: &str = "connsec ALE auth-connect v4 filter";
const FILTER_NAME_V6: &str = "connsec ALE auth-connect v6 filter";

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn utf16z(s: &str) -> Vec<u16> {
        s.encode_utf16().chain([0]).collect()
    }

    #[test]
    fn each_layer_has_its_own_keys_and_names() {
        let [v4, v6] = Layer::ALL;
        assert_eq!(v4, Layer::AleAuthConnectV4);
        assert_eq!(v6, Layer::AleAuthConnectV6);
        assert_ne!(v4.callout_key(), v6.callout_key());
        assert_ne!(v4.filter_key(), v6.filter_key());
        assert_ne!(v4.layer_key(), v6.layer_key());
        assert_eq!(v4.layer_key(), keys::FWPM_LAYER_ALE_AUTH_CONNECT_V4);
        assert_eq!(v6.layer_key(), keys::FWPM_LAYER_ALE_AUTH_CONNECT_V6);
        for layer in Layer::ALL {
            assert!(layer.name().ends_with(&layer.label().to_uppercase()));
            assert!(layer.callout_name().contains(layer.label()));
            assert!(layer.filter_name().contains(layer.label()));
            assert_eq!(layer.callout_name_wide(), utf16z(layer.callout_name()));
            assert_eq!(layer.filter_name_wide(), utf16z(layer.filter_name()));
        }
    }
}
