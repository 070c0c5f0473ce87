//! The catalog: where each provider's regions physically are (country, ISO 3166-1 alpha-2) and
//! who operates them. The data lives in `src/catalog/data/*.json`, embedded at build time; every
//! entry names its source and whether it is confirmed.

use crate::diag::Diagnostic;
use crate::hash::HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

pub mod rows;

/// The date the catalog's data was last reviewed against its sources (a literal, so that
/// `--version` can carry it): update it with the data.
#[macro_export]
macro_rules! catalog_date {
    () => {
        "2026-12-05"
    };
}

/// The catalog's date, as the reports carry it.
pub const DATE: &str = catalog_date!();

const DATA_FILES: &[(&str, &str)] = &[
    ("aws.json", include_str!("data/aws.json")),
    ("azure.json", include_str!("data/azure.json")),
    ("gcp.json", include_str!("data/gcp.json")),
    ("hetzner.json", include_str!("data/hetzner.json")),
    ("digitalocean.json", include_str!("data/digitalocean.json")),
    ("scaleway.json", include_str!("data/scaleway.json")),
    ("oci.json", include_str!("data/oci.json")),
    ("alibaba.json", include_str!("data/alibaba.json")),
    ("ibm.json", include_str!("data/ibm.json")),
    ("ovh.json", include_str!("data/ovh.json")),
    ("linode.json", include_str!("data/linode.json")),
    ("mailgun.json", include_str!("data/mailgun.json")),
    ("vultr.json", include_str!("data/vultr.json")),
    ("resend.json", include_str!("data/resend.json")),
    ("microsoft365.json", include_str!("data/microsoft365.json")),
    (
        "google-workspace.json",
        include_str!("data/google-workspace.json"),
    ),
];

/// A legal entity and the country whose law it is incorporated under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub name: String,
    pub country: String,
    /// `trustee` (a data trustee holds access, e.g. Microsoft Cloud Deutschland) or
    /// `sovereign-subsidiary` (a local subsidiary runs it) or `licensee` (a local company runs a
    /// US provider's technology under licence, such as S3NS with Google Cloud); absent for a
    /// direct operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    pub id: String,
    pub operator: Arc<Entity>,
    pub parent: Arc<Entity>,
    pub source: String,
    pub confirmed: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub city: String,
    pub countries: Vec<String>,
    pub partition: String,
    /// `region` (default), `multi-region` or `dual-region`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    /// The zones of the region, where the provider's own data lists them (`fr-par-1`): a
    /// configuration that names a zone is in its region.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Countries where object metadata may be kept besides `countries` (some GCS dual-regions).
    #[serde(default)]
    pub metadata_countries: Vec<String>,
    #[serde(default)]
    pub paired_region: Option<String>,
    #[serde(default)]
    pub closed: Option<String>,
    #[serde(default)]
    pub operator: Option<Arc<Entity>>,
    #[serde(default)]
    pub parent: Option<Arc<Entity>>,
    pub source: String,
    pub confirmed: bool,
}

/// A named geography that a service stores data in (Azure Communication Services `data_location`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geography {
    pub id: String,
    pub countries: Vec<String>,
    pub source: String,
    pub confirmed: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderData {
    pub provider: String,
    pub name: String,
    /// Whether the provider has a presence in the United States (a US region, a US operating
    /// company or parent), in words and with its source: what decides whether it may be
    /// subject to US jurisdiction for data it holds anywhere (CLD005, CLD011). Every built-in
    /// file states it; a file added with `--catalog` may leave it out (then the catalog's
    /// regions and entities decide).
    #[serde(default)]
    pub us_footprint: Option<UsFootprint>,
    pub sources: BTreeMap<String, String>,
    pub partitions: Vec<Partition>,
    pub regions: Vec<Region>,
    #[serde(default)]
    pub geographies: Vec<Geography>,
}

/// A provider's US presence as its data file states it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsFootprint {
    pub present: bool,
    pub note: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub providers: Vec<ProviderData>,
    index: HashMap<(String, String), (usize, usize)>,
}

/// The United States and its territories: the ruling's "in the United States".
pub const US_AND_TERRITORIES: &[&str] = &["US", "PR", "GU", "VI", "AS", "MP", "UM"];

impl Catalog {
    pub fn load() -> Result<Catalog, String> {
        let mut providers = Vec::new();
        for (name, text) in DATA_FILES {
            providers.push(parse_data(name, text).map_err(|d| d.message)?);
        }
        Catalog::from_providers(providers)
    }

    fn from_providers(providers: Vec<ProviderData>) -> Result<Catalog, String> {
        let mut index = HashMap::default();
        for (p, data) in providers.iter().enumerate() {
            for (r, region) in data.regions.iter().enumerate() {
                let key = (data.provider.clone(), normalise(&data.provider, &region.id));
                if index.insert(key, (p, r)).is_some() {
                    return Err(format!(
                        "catalog: region {} appears twice for {}",
                        region.id, data.provider
                    ));
                }
            }
        }
        Ok(Catalog { providers, index })
    }

    /// What the tests require of the embedded data, checked on data a user brings: ISO
    /// countries, known partitions and sources, pairs and members that exist.
    pub fn validate(&self) -> Result<(), String> {
        for data in &self.providers {
            let place = |id: &str| format!("catalog {} region {id}", data.provider);
            for region in &data.regions {
                if region.countries.is_empty() {
                    return Err(format!("{}: no country", place(&region.id)));
                }
                if let Some(c) = region
                    .countries
                    .iter()
                    .chain(&region.metadata_countries)
                    .find(|c| !is_iso_country(c))
                {
                    return Err(format!(
                        "{}: {c:?} is not an ISO 3166-1 alpha-2 code",
                        place(&region.id)
                    ));
                }
                if !data.sources.contains_key(&region.source) {
                    return Err(format!(
                        "{}: source {:?} is not listed in \"sources\"",
                        place(&region.id),
                        region.source
                    ));
                }
                if self.partition(&data.provider, &region.partition).is_none() {
                    return Err(format!(
                        "{}: unknown partition {:?}",
                        place(&region.id),
                        region.partition
                    ));
                }
                for other in region.paired_region.iter().chain(&region.members) {
                    if self.region(&data.provider, other).is_none() {
                        return Err(format!(
                            "{}: {other} is not a region of {}",
                            place(&region.id),
                            data.provider
                        ));
                    }
                }
            }
            for p in &data.partitions {
                if !is_iso_country(&p.operator.country) || !is_iso_country(&p.parent.country) {
                    return Err(format!(
                        "catalog {} partition {}: operator and parent need ISO countries",
                        data.provider, p.id
                    ));
                }
                if !data.sources.contains_key(&p.source) {
                    return Err(format!(
                        "catalog {} partition {}: source {:?} is not listed",
                        data.provider, p.id, p.source
                    ));
                }
            }
            for g in &data.geographies {
                if !g.countries.iter().all(|c| is_iso_country(c))
                    || !data.sources.contains_key(&g.source)
                {
                    return Err(format!("catalog {} geography {}: countries must be ISO codes and the source listed", data.provider, g.id));
                }
            }
        }
        Ok(())
    }

    /// Merges a user's catalog file: its regions, partitions and geographies replace entries
    /// with the same id and add the others; a new provider is added whole.
    fn merge(&mut self, file: ProviderData) {
        let Some(data) = self
            .providers
            .iter_mut()
            .find(|p| p.provider == file.provider)
        else {
            self.providers.push(file);
            return;
        };
        data.sources.extend(file.sources);
        for p in file.partitions {
            match data.partitions.iter_mut().find(|x| x.id == p.id) {
                Some(existing) => *existing = p,
                None => data.partitions.push(p),
            }
        }
        for r in file.regions {
            let key = normalise(&data.provider, &r.id);
            match data
                .regions
                .iter_mut()
                .find(|x| normalise(&file.provider, &x.id) == key)
            {
                Some(existing) => *existing = r,
                None => data.regions.push(r),
            }
        }
        for g in file.geographies {
            match data.geographies.iter_mut().find(|x| x.id == g.id) {
                Some(existing) => *existing = g,
                None => data.geographies.push(g),
            }
        }
    }

    pub fn provider(&self, provider: &str) -> Option<&ProviderData> {
        self.providers.iter().find(|p| p.provider == provider)
    }

    /// Looks a region up by any spelling users write (`West Europe`, `westeurope`,
    /// `eu-west-1a`, `europe-west1-b`, `EU`).
    pub fn region(&self, provider: &str, raw: &str) -> Option<&Region> {
        let key = normalise(provider, raw);
        let found = self.index.get(&(provider.to_string(), key.clone()));
        let found = found.or_else(|| {
            // Availability zones and Google zones name their region plus a suffix.
            let region = strip_zone(provider, &key)?;
            self.index.get(&(provider.to_string(), region))
        })?;
        Some(&self.providers[found.0].regions[found.1])
    }

    /// The known region closest in spelling to an unknown one (a typo such as `eu-wst-1`), if
    /// one is within two edits.
    pub fn suggest(&self, provider: &str, raw: &str) -> Option<&str> {
        let wanted = normalise(provider, raw);
        self.provider(provider)?
            .regions
            .iter()
            .map(|r| {
                (
                    strsim::levenshtein(&wanted, &normalise(provider, &r.id)),
                    r.id.as_str(),
                )
            })
            .filter(|(distance, _)| *distance <= 2)
            .min()
            .map(|(_, id)| id)
    }

    pub fn partition(&self, provider: &str, id: &str) -> Option<&Partition> {
        self.provider(provider)?
            .partitions
            .iter()
            .find(|p| p.id == id)
    }

    pub fn geography(&self, provider: &str, name: &str) -> Option<&Geography> {
        let wanted = name.to_ascii_lowercase().replace(' ', "");
        self.provider(provider)?
            .geographies
            .iter()
            .find(|g| g.id.to_ascii_lowercase().replace(' ', "") == wanted)
    }

    /// How far a provider is controlled from the United States, by the catalog's partitions
    /// and regions: every operating entity has a US operator or parent (`all`), some do
    /// (`some`), none does (`none`), or the provider is not in the catalog (`unknown`).
    pub fn us_control(&self, provider: &str) -> &'static str {
        let Some(data) = self.provider(provider) else {
            return "unknown";
        };
        let us = |e: &Entity| US_AND_TERRITORIES.contains(&e.country.as_str());
        let mut controls: Vec<bool> = data
            .partitions
            .iter()
            .map(|p| us(&p.operator) || us(&p.parent))
            .collect();
        for region in &data.regions {
            if let Some((operator, parent)) = self.control(provider, region) {
                controls.push(us(&operator) || us(&parent));
            }
        }
        match (controls.iter().all(|c| *c), controls.iter().any(|c| *c)) {
            _ if controls.is_empty() => "unknown",
            (true, _) => "all",
            (false, true) => "some",
            (false, false) => "none",
        }
    }

    /// Whether a provider has a presence in the United States that the catalog records: a
    /// region there, or an operating entity or parent incorporated there. Such a provider may
    /// be subject to US jurisdiction for data it holds anywhere (18 U.S.C. § 2713).
    pub fn us_presence(&self, provider: &str) -> bool {
        let Some(data) = self.provider(provider) else {
            return false;
        };
        if let Some(footprint) = &data.us_footprint {
            return footprint.present;
        }
        let us = |c: &str| US_AND_TERRITORIES.contains(&c);
        self.us_control(provider) != "none"
            || data
                .regions
                .iter()
                .any(|r| r.countries.iter().any(|c| us(c)))
    }

    /// The parent every partition and region of a provider shares, if they share one: who
    /// controls a copy of that provider even when its region is not known.
    pub fn sole_parent(&self, provider: &str) -> Option<Arc<Entity>> {
        let data = self.provider(provider)?;
        let mut parents = data.partitions.iter().map(|p| p.parent.clone()).chain(
            data.regions
                .iter()
                .filter_map(|r| self.control(provider, r).map(|(_, parent)| parent)),
        );
        let first = parents.next()?;
        parents.all(|p| p == first).then_some(first)
    }

    /// Operator and parent of a region: the region's own, else its partition's.
    pub fn control(&self, provider: &str, region: &Region) -> Option<(Arc<Entity>, Arc<Entity>)> {
        let partition = self.partition(provider, &region.partition)?;
        Some((
            region
                .operator
                .clone()
                .unwrap_or_else(|| partition.operator.clone()),
            region
                .parent
                .clone()
                .unwrap_or_else(|| partition.parent.clone()),
        ))
    }
}

/// One catalog data file (the format of `src/catalog/data/*.json`).
pub fn parse_data(name: &str, text: &str) -> Result<ProviderData, Diagnostic> {
    serde_json::from_str(text)
        .map_err(|e| Diagnostic::usage(format!("catalog file {name}: {e} (line {})", e.line())))
}

/// The embedded catalog, parsed once: it is constant data, checked by tests, so a failure
/// here is a bug. A scan's own catalog (with `--catalog` files and config additions) is a
/// value built from it and passed along (`model::Inputs::catalog`), never installed globally.
pub fn embedded() -> Arc<Catalog> {
    static EMBEDDED: OnceLock<Arc<Catalog>> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| Arc::new(Catalog::load().expect("embedded catalog is valid")))
        .clone()
}

impl Catalog {
    /// This catalog with catalog files a user passes with `--catalog FILE` (the format of
    /// `src/catalog/data/*.json`) merged over it, validated as a whole.
    pub fn with_files(&self, files: &[(String, String)]) -> Result<Catalog, Diagnostic> {
        let mut merged = self.clone();
        for (name, text) in files {
            merged.merge(parse_data(name, text)?);
        }
        let merged = Catalog::from_providers(merged.providers).map_err(Diagnostic::usage)?;
        merged.validate().map_err(Diagnostic::usage)?;
        Ok(merged)
    }

    /// This catalog with regions a user adds in the config file (a new region, a private
    /// zone), checked against it: the provider must exist, the id must be new, the countries
    /// ISO codes. They are marked unconfirmed and keep the user's source.
    pub fn with_additions(&self, additions: Vec<(String, Region)>) -> Result<Catalog, String> {
        for (provider, region) in &additions {
            let Some(data) = self.provider(provider) else {
                return Err(format!(
                    "catalog addition {}: unknown provider {provider:?}",
                    region.id
                ));
            };
            if self.region(provider, &region.id).is_some() {
                return Err(format!(
                    "catalog addition {}: {provider} already has this region",
                    region.id
                ));
            }
            if !data.partitions.iter().any(|p| p.id == region.partition) {
                return Err(format!(
                    "catalog addition {}: unknown partition {:?} for {provider}",
                    region.id, region.partition
                ));
            }
            if let Some(bad) = region.countries.iter().find(|c| !is_iso_country(c)) {
                return Err(format!(
                    "catalog addition {}: {bad:?} is not an ISO 3166-1 alpha-2 code",
                    region.id
                ));
            }
        }
        let mut extended = self.clone();
        extended.extend(additions);
        Ok(extended)
    }
}

impl Catalog {
    fn extend(&mut self, additions: Vec<(String, Region)>) {
        for (provider, region) in additions {
            if let Some(p) = self.providers.iter().position(|d| d.provider == provider) {
                let key = (provider.clone(), normalise(&provider, &region.id));
                self.providers[p].regions.push(region);
                self.index
                    .insert(key, (p, self.providers[p].regions.len() - 1));
            }
        }
    }
}

/// Canonical spelling of a region id: lower case; Azure display names lose their spaces.
pub fn normalise(provider: &str, raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    match provider {
        "azure" => lower.replace([' ', '_', '-'], ""),
        _ => lower,
    }
}

fn strip_zone(provider: &str, key: &str) -> Option<String> {
    match provider {
        // eu-west-1a → eu-west-1
        "aws" => without_zone_letter(key),
        // fr-par-2 (a Scaleway zone), eu-de-1 (an IBM Cloud VPC zone) → fr-par, eu-de
        "scaleway" | "ibm" => without_suffix(key, |zone| zone.chars().all(|c| c.is_ascii_digit())),
        // fsn1-dc14 (a Hetzner datacenter) → fsn1
        "hetzner" => key
            .split_once("-dc")
            .map(|(location, _)| location.to_string()),
        // cn-hangzhou-h, eu-central-1a (Alibaba zones) → cn-hangzhou, eu-central-1
        "alibaba" => without_suffix(key, is_zone_letter).or_else(|| without_zone_letter(key)),
        // GRA11, DE1, US-EAST-VA-1 (OVHcloud Public Cloud regions) → gra, de, us-east-va
        "ovh" => {
            let trimmed = key
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .trim_end_matches('-');
            (trimmed != key && !trimmed.is_empty()).then(|| trimmed.to_string())
        }
        // Uocm:EU-FRANKFURT-1-AD-1 (an OCI availability domain) → eu-frankfurt-1
        "oci" => {
            let domain = key.rsplit_once(':').map_or(key, |(_, d)| d);
            let (region, ad) = domain.rsplit_once("-ad-")?;
            (!ad.is_empty() && ad.chars().all(|c| c.is_ascii_digit())).then(|| region.to_string())
        }
        // europe-west1-b → europe-west1
        "gcp" => without_suffix(key, is_zone_letter),
        _ => None,
    }
}

/// `region-ZONE` → `region` when the part after the last `-` is a zone by `is_zone`.
fn without_suffix(key: &str, is_zone: impl Fn(&str) -> bool) -> Option<String> {
    let (region, zone) = key.rsplit_once('-')?;
    (!zone.is_empty() && is_zone(zone)).then(|| region.to_string())
}

/// A single lowercase letter: a Google or Alibaba zone suffix (`-b`, `-h`).
fn is_zone_letter(zone: &str) -> bool {
    zone.len() == 1 && zone.chars().all(|c| c.is_ascii_lowercase())
}

/// `eu-west-1a` → `eu-west-1`: a zone letter right after the region's number.
fn without_zone_letter(key: &str) -> Option<String> {
    let last = key.chars().last()?;
    let before = key.chars().nth_back(1)?;
    (last.is_ascii_lowercase() && before.is_ascii_digit()).then(|| key[..key.len() - 1].to_string())
}

/// ISO 3166-1 alpha-2 codes (source: ISO 3166 Maintenance Agency, iso.org/obp), used to validate
/// every country in the catalog and in user policies.
pub const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF YE YT ZA ZM ZW";

pub fn is_iso_country(code: &str) -> bool {
    code.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_loads_with_valid_countries_pairs_and_sources() {
        let catalog = Catalog::load().unwrap();
        catalog.validate().unwrap();
        for data in &catalog.providers {
            for region in &data.regions {
                assert!(!region.countries.is_empty(), "{} has no country", region.id);
                for c in region.countries.iter().chain(&region.metadata_countries) {
                    assert!(is_iso_country(c), "{}: {c} is not ISO 3166-1", region.id);
                }
                assert!(data.sources.contains_key(&region.source), "{}", region.id);
                assert!(
                    catalog
                        .partition(&data.provider, &region.partition)
                        .is_some(),
                    "{}: unknown partition",
                    region.id
                );
                if let Some(pair) = &region.paired_region {
                    assert!(catalog.region(&data.provider, pair).is_some(), "{pair}");
                }
                for member in &region.members {
                    assert!(catalog.region(&data.provider, member).is_some(), "{member}");
                }
                // A zone the catalog lists is read as its region.
                for zone in &region.zones {
                    let found = catalog.region(&data.provider, zone).map(|r| r.id.as_str());
                    assert_eq!(found, Some(region.id.as_str()), "{zone}");
                }
            }
            for p in &data.partitions {
                assert!(is_iso_country(&p.operator.country) && is_iso_country(&p.parent.country));
                assert!(data.sources.contains_key(&p.source));
            }
            // Every built-in provider states its US footprint, with a source, and the
            // statement agrees with its regions and entities where those show one.
            let footprint = data
                .us_footprint
                .as_ref()
                .unwrap_or_else(|| panic!("{} states no US footprint", data.provider));
            assert!(
                data.sources.contains_key(&footprint.source),
                "{}",
                data.provider
            );
            let shown = catalog.us_control(&data.provider) != "none"
                || data.regions.iter().any(|r| {
                    r.countries
                        .iter()
                        .any(|c| US_AND_TERRITORIES.contains(&c.as_str()))
                });
            assert_eq!(footprint.present, shown, "{}", data.provider);
            for g in &data.geographies {
                assert!(g.countries.iter().all(|c| is_iso_country(c)));
                assert!(data.sources.contains_key(&g.source));
            }
        }
    }

    /// Region counts per provider, against the lists their sources give (see each data file's
    /// `sources`): a region dropped or duplicated by an edit fails here.
    #[test]
    fn region_counts_match_the_sources() {
        let c = embedded();
        let count = |p: &str| c.provider(p).unwrap().regions.len();
        assert_eq!(count("hetzner"), 6, "fsn1 nbg1 hel1 ash hil sin");
        assert_eq!(
            count("digitalocean"),
            15,
            "12 from the API listing, 3 newer (unconfirmed)"
        );
        let unconfirmed: Vec<&str> = c
            .provider("digitalocean")
            .unwrap()
            .regions
            .iter()
            .filter(|r| !r.confirmed)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(unconfirmed, ["sfo3", "syd1", "atl1"]);
        assert_eq!(c.region("hetzner", "fsn1-dc14").unwrap().id, "fsn1");
        assert_eq!(count("scaleway"), 4, "fr-par nl-ams pl-waw it-mil");
        assert_eq!(c.region("scaleway", "fr-par-2").unwrap().id, "fr-par");
        // Per partition, against each source's own list.
        let per_partition = |p: &str, part: &str| {
            c.provider(p)
                .unwrap()
                .regions
                .iter()
                .filter(|r| r.partition == part)
                .count()
        };
        let expected: &[(&str, &str, usize, &str)] = &[
            ("aws", "aws", 34, "AWS Regions table: 34 commercial regions"),
            ("aws", "aws-cn", 2, "Beijing, Ningxia"),
            ("aws", "aws-us-gov", 2, "GovCloud US-East, US-West"),
            ("aws", "aws-eusc", 1, "eusc-de-east-1"),
            (
                "aws",
                "aws-iso",
                2,
                "SDK partitions.json: us-iso-east-1, us-iso-west-1",
            ),
            (
                "aws",
                "aws-iso-b",
                2,
                "SDK partitions.json: us-isob-east-1, us-isob-west-1",
            ),
            (
                "aws",
                "aws-iso-f",
                2,
                "SDK partitions.json: us-isof-east-1, us-isof-south-1",
            ),
            (
                "azure",
                "AzureCloud",
                67,
                "58 in the regions list + 5 newer names + 4 early-access and staging regions",
            ),
            ("azure", "AzureUSGovernment", 5, "Azure Government regions"),
            ("azure", "AzureChinaCloud", 6, "21Vianet region list"),
            (
                "azure",
                "AzureGermanCloud",
                2,
                "Microsoft Cloud Deutschland (closed)",
            ),
            (
                "gcp",
                "google",
                49,
                "42 regions + Bangkok + 3 multi-regions + 3 dual-regions",
            ),
            ("gcp", "s3ns", 1, "u-france-east1"),
            (
                "oci",
                "oc1",
                55,
                "OCI SDK REGION_REALMS realm oc1 (40) and the 15 oc1 regions the NoSQL SDK adds",
            ),
            (
                "ibm",
                "ibm",
                11,
                "IBM Cloud regions: 4 Americas, 3 Europe, 3 Asia Pacific; Montreal from IBM's modules",
            ),
            (
                "alibaba",
                "cn",
                16,
                "alicloud provider: 12 mainland China regions; the SDK's endpoint maps: 4 more",
            ),
            (
                "alibaba",
                "intl",
                17,
                "alicloud provider: international regions",
            ),
            ("ovh", "ovh", 15, "7 confirmed + 8 unconfirmed"),
            (
                "linode",
                "linode",
                57,
                "Linode production regions data: 25 core regions; 32 more in GET /v4/regions as linodego recorded it (lab and billing test regions left out)",
            ),
        ];
        for (provider, partition, n, why) in expected {
            assert_eq!(
                per_partition(provider, partition),
                *n,
                "{provider} {partition}: {why}"
            );
        }
        assert_eq!(
            count("oci"),
            114,
            "OCI SDK REGIONS (72 in 17 realms) and 42 more from the NoSQL SDK's region list"
        );
    }

    #[test]
    fn spellings_of_the_other_clouds() {
        let c = embedded();
        assert_eq!(c.region("ovh", "GRA11").unwrap().id, "gra");
        assert_eq!(c.region("ovh", "DE1").unwrap().countries, ["DE"]);
        assert_eq!(c.region("ovh", "US-EAST-VA-1").unwrap().countries, ["US"]);
        assert_eq!(c.region("ibm", "eu-de-1").unwrap().id, "eu-de");
        assert_eq!(
            c.region("alibaba", "cn-hangzhou-h").unwrap().id,
            "cn-hangzhou"
        );
        assert_eq!(
            c.region("alibaba", "eu-central-1a").unwrap().countries,
            ["DE"]
        );
        assert_eq!(
            c.region("alibaba", "cn-hongkong").unwrap().countries,
            ["HK"]
        );
        assert_eq!(
            c.region("oci", "Uocm:EU-FRANKFURT-1-AD-1").unwrap().id,
            "eu-frankfurt-1"
        );
        assert_eq!(c.region("linode", "se-sto").unwrap().countries, ["SE"]);
        // Ids repeat across clouds; lookups are per provider.
        assert_eq!(c.region("aws", "eu-central-1").unwrap().city, "Frankfurt");
        assert_eq!(c.region("alibaba", "us-west-1").unwrap().countries, ["US"]);
        assert!(c.region("linode", "eu-west-1").is_none());
    }

    #[test]
    fn sovereign_and_isolated_partitions() {
        let c = embedded();
        let (op, parent) = c
            .control("gcp", c.region("gcp", "u-france-east1").unwrap())
            .unwrap();
        assert_eq!(
            (
                op.country.as_str(),
                op.model.as_deref(),
                parent.country.as_str()
            ),
            ("FR", Some("licensee"), "FR")
        );
        let (op, parent) = c
            .control("oci", c.region("oci", "eu-frankfurt-2").unwrap())
            .unwrap();
        assert_eq!(
            (op.model.as_deref(), parent.country.as_str()),
            (Some("sovereign-subsidiary"), "US")
        );
        let (op, _) = c
            .control("alibaba", c.region("alibaba", "eu-central-1").unwrap())
            .unwrap();
        assert_eq!(op.country, "SG");
        assert_eq!(c.region("aws", "us-isob-east-1").unwrap().city, "Ohio");
    }

    #[test]
    fn spellings_users_write() {
        let c = embedded();
        assert_eq!(c.region("azure", "West Europe").unwrap().countries, ["NL"]);
        assert_eq!(c.region("azure", "westeurope").unwrap().id, "westeurope");
        assert_eq!(c.region("azure", "WestEurope").unwrap().id, "westeurope");
        assert_eq!(c.region("aws", "eu-west-1a").unwrap().id, "eu-west-1");
        assert_eq!(
            c.region("gcp", "europe-west1-b").unwrap().id,
            "europe-west1"
        );
        assert_eq!(c.region("gcp", "EU").unwrap().countries.len(), 27);
        assert!(c.region("aws", "westeurope").is_none());
        assert!(c.region("aws", "mars-north-1").is_none());
    }

    /// Regions the providers list that the catalog once missed: each is read as itself (never
    /// as a nearer spelling such as `us-iad` for `us-iad-2`) with its country and source.
    #[test]
    fn newer_regions_are_their_own() {
        let c = embedded();
        for (provider, id, country, confirmed) in [
            ("linode", "gb-lon", "GB", true),
            ("linode", "us-iad-2", "US", true),
            ("linode", "no-osl-1", "NO", true),
            ("linode", "jp-tyo-3", "JP", true),
            ("linode", "au-mel", "AU", true),
            ("linode", "de-fra-2", "DE", true),
            ("scaleway", "it-mil", "IT", true),
            ("alibaba", "cn-north-2-gov-1", "CN", false),
        ] {
            let region = c.region(provider, id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(
                (
                    region.id.as_str(),
                    region.countries.as_slice(),
                    region.confirmed
                ),
                (id, [country.to_string()].as_slice(), confirmed)
            );
        }
        assert_eq!(c.region("scaleway", "it-mil-1").unwrap().id, "it-mil");
        let india = c.region("azure", "indiasouthcentral").unwrap();
        assert_eq!(india.paired_region.as_deref(), Some("centralindia"));
        assert_eq!(
            c.region("azure", "centralindia")
                .unwrap()
                .paired_region
                .as_deref(),
            Some("southindia")
        );
    }

    #[test]
    fn one_way_pair_crosses_a_border() {
        let c = embedded();
        let brazil = c.region("azure", "Brazil South").unwrap();
        let pair = c
            .region("azure", brazil.paired_region.as_deref().unwrap())
            .unwrap();
        assert_eq!(pair.countries, ["US"]);
        assert_eq!(pair.paired_region.as_deref(), Some("northcentralus"));
    }

    #[test]
    fn control_by_partition_and_region() {
        let c = embedded();
        let (op, parent) = c
            .control("aws", c.region("aws", "cn-north-1").unwrap())
            .unwrap();
        assert_eq!((op.country.as_str(), parent.country.as_str()), ("CN", "CN"));
        let (op, parent) = c
            .control("aws", c.region("aws", "eusc-de-east-1").unwrap())
            .unwrap();
        assert_eq!((op.country.as_str(), parent.country.as_str()), ("DE", "US"));
        let (op, _) = c
            .control("azure", c.region("azure", "germanycentral").unwrap())
            .unwrap();
        assert_eq!(op.model.as_deref(), Some("trustee"));
    }
}
