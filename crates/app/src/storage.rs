//! Where photo files live: the data dir by default, or an S3-compatible bucket
//! (AWS S3, MinIO, Cloudflare R2) when `GARASI_S3_BUCKET` is set, so several
//! instances without a shared disk serve the same photos.

use clap::Args;
use serde::Deserialize;

use crate::settings::SettingError;

/// Also the `[s3]` table of the TOML file, whose keys drop the `s3_` prefix.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Args {
    /// S3 bucket for photos; when set, photos are stored there instead of the data dir [default: none].
    #[arg(long, env = "GARASI_S3_BUCKET", global = true, value_name = "BUCKET")]
    #[serde(rename = "bucket")]
    pub s3_bucket: Option<String>,
    /// S3 region [default: us-east-1].
    #[arg(long, env = "GARASI_S3_REGION", global = true, value_name = "REGION")]
    #[serde(rename = "region")]
    pub s3_region: Option<String>,
    /// Endpoint of an S3-compatible service, e.g. http://127.0.0.1:9000 for MinIO [default: AWS].
    #[arg(long, env = "GARASI_S3_ENDPOINT", global = true, value_name = "URL")]
    #[serde(rename = "endpoint")]
    pub s3_endpoint: Option<String>,
    /// S3 access key id.
    #[arg(long, env = "GARASI_S3_ACCESS_KEY_ID", global = true, value_name = "KEY", hide_env_values = true)]
    #[serde(rename = "access_key_id")]
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key.
    #[arg(long, env = "GARASI_S3_SECRET_ACCESS_KEY", global = true, value_name = "SECRET", hide_env_values = true)]
    #[serde(rename = "secret_access_key")]
    pub s3_secret_access_key: Option<String>,
    /// Key prefix inside the bucket, so one bucket can hold several deployments [default: garasi].
    #[arg(long, env = "GARASI_S3_PREFIX", global = true, value_name = "PREFIX")]
    #[serde(rename = "prefix")]
    pub s3_prefix: Option<String>,
}

#[derive(Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub prefix: String,
}

impl std::fmt::Debug for S3Settings {
    // The secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Photo storage: `None` means the data dir.
pub fn resolve(args: &S3Args, file: Option<&S3Args>) -> Result<Option<S3Settings>, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let pick =
        |a: &Option<String>, f: Option<String>| a.clone().or(f).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let Some(bucket) = pick(&args.s3_bucket, file.s3_bucket) else { return Ok(None) };
    let endpoint = pick(&args.s3_endpoint, file.s3_endpoint);
    if let Some(e) = &endpoint
        && !(e.starts_with("http://") || e.starts_with("https://"))
    {
        return Err(SettingError { name: "GARASI_S3_ENDPOINT", reason: "must start with http:// or https://".into() });
    }
    let access_key_id = pick(&args.s3_access_key_id, file.s3_access_key_id)
        .ok_or(SettingError { name: "GARASI_S3_ACCESS_KEY_ID", reason: "is required with GARASI_S3_BUCKET".into() })?;
    let secret_access_key = pick(&args.s3_secret_access_key, file.s3_secret_access_key).ok_or(SettingError {
        name: "GARASI_S3_SECRET_ACCESS_KEY",
        reason: "is required with GARASI_S3_BUCKET".into(),
    })?;
    Ok(Some(S3Settings {
        bucket,
        region: pick(&args.s3_region, file.s3_region).unwrap_or_else(|| "us-east-1".into()),
        endpoint,
        access_key_id,
        secret_access_key,
        prefix: pick(&args.s3_prefix, file.s3_prefix).unwrap_or_else(|| "garasi".into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_and_complete_when_on() {
        assert!(resolve(&S3Args::default(), None).unwrap().is_none());
        let args = S3Args { s3_bucket: Some("foto".into()), ..Default::default() };
        assert_eq!(resolve(&args, None).unwrap_err().name, "GARASI_S3_ACCESS_KEY_ID");
        let args = S3Args {
            s3_bucket: Some("foto".into()),
            s3_endpoint: Some("minio:9000".into()),
            s3_access_key_id: Some("k".into()),
            s3_secret_access_key: Some("rahasia".into()),
            ..Default::default()
        };
        assert_eq!(resolve(&args, None).unwrap_err().name, "GARASI_S3_ENDPOINT");
        let args = S3Args { s3_endpoint: Some("http://127.0.0.1:9000".into()), ..args };
        let s = resolve(&args, None).unwrap().unwrap();
        assert_eq!((s.region.as_str(), s.prefix.as_str()), ("us-east-1", "garasi"));
        assert!(!format!("{s:?}").contains("rahasia"));
    }
}
