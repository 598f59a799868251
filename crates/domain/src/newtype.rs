//! Shared boilerplate for validated string newtypes.
//!
//! A validated string type stores only its normalised form and can only be
//! built through its `parse` function. Deserialisation must go through `parse`
//! too, otherwise data from a request body or a database row could bypass the
//! rules; this macro keeps that guarantee identical for every such type.

macro_rules! validated_string {
    ($ty:ident, $err:ty) => {
        impl $ty {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The normalised value, by value.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&raw).map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use validated_string;
