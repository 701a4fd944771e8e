//! Synthetic campaign facts for the demo beneficiaries (`teleasistenta::demo`): birth years
//! from 1931 to 1960, two in three living alone. Invented, like the rest of the demo registry.

use crate::store::EmergencyStore;

/// Sets birth year and living alone on `TA-DEMO-001` … `TA-DEMO-020`.
pub(crate) async fn seed(emergency: &dyn EmergencyStore) -> anyhow::Result<()> {
    for i in 1..=20i32 {
        let birth_year = 1931 + (i * 7) % 30;
        let lives_alone = i % 3 != 1;
        emergency
            .set_profile(
                &format!("TA-DEMO-{i:03}"),
                Some(birth_year),
                Some(lives_alone),
            )
            .await?;
    }
    Ok(())
}
