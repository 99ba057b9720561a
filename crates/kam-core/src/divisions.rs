//! China's administrative divisions 省/市/区 (`data/divisions.json`, shipped
//! with KAM): the list the address picker offers and the check that an
//! account's city lies in its province. Districts are offered, not enforced:
//! development zones and new districts (苏州工业园区) are written as people
//! know them.

use std::sync::OnceLock;

/// The list as shipped: `[[province, [[city, [district…]]…]]…]`.
pub const JSON: &str = include_str!("../data/divisions.json");

type Tree = Vec<(String, Vec<(String, Vec<String>)>)>;

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| serde_json::from_str(JSON).unwrap_or_default())
}

/// The provinces, in the list's order.
pub fn provinces() -> Vec<&'static str> {
    tree().iter().map(|(p, _)| p.as_str()).collect()
}

/// The cities of a province (None when the province is not in the list).
pub fn cities(province: &str) -> Option<Vec<&'static str>> {
    tree().iter().find(|(p, _)| p == province).map(|(_, c)| c.iter().map(|(c, _)| c.as_str()).collect())
}

/// Whether a province/city pair holds: a province of the list must name one
/// of its cities; a place outside the list (香港, abroad) is taken as written.
pub fn check(province: &str, city: &str) -> Result<(), &'static str> {
    match cities(province) {
        Some(list) if !city.is_empty() && !list.contains(&city) => Err("err.city_of_province"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_whole() {
        assert_eq!(provinces().len(), 31, "22 provinces, 5 autonomous regions, 4 municipalities");
        assert!(cities("福建省").unwrap().contains(&"福州市"));
        assert_eq!(cities("上海市").unwrap(), vec!["上海市"], "a municipality is its own city");
        let districts: usize = tree().iter().flat_map(|(_, c)| c.iter().map(|(_, d)| d.len())).sum();
        assert!(districts > 2800, "{districts}");
        assert_eq!(check("浙江省", "杭州市"), Ok(()));
        assert_eq!(check("浙江省", "苏州市"), Err("err.city_of_province"));
        assert_eq!(check("香港特别行政区", "九龙"), Ok(()), "outside the list: as written");
        assert_eq!(check("浙江省", ""), Ok(()));
    }
}
