//! [`BedsStore`] on both backends.

macro_rules! beds_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;
        use uuid::Uuid;

        use crate::domain::ItemId;
        use crate::store::beds::{
            AdmissionRecord, Admitted, BedsStore, ColdSwitch, FacilityRecord, FitsFn, Occupancy,
            ProviderRecord, TemperatureReading,
        };
        use crate::store::dialect::Dialect;
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;

        fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
            StoreError::Corrupt {
                seq: 0,
                message: format!("{what}: {e}"),
            }
        }

        fn provider(r: &DbRow) -> Result<ProviderRecord, StoreError> {
            Ok(ProviderRecord {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                phone: r.try_get("phone")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        }

        fn facility(r: &DbRow) -> Result<FacilityRecord, StoreError> {
            Ok(FacilityRecord {
                id: r.try_get("id")?,
                provider_id: r.try_get("provider_id")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                adult_places: r.try_get("adult_places")?,
                child_places: r.try_get("child_places")?,
                cold_extra_places: r.try_get("cold_extra_places")?,
                stay_limit_days: r.try_get("stay_limit_days")?,
                address: r.try_get("address")?,
                lon: r.try_get("lon")?,
                lat: r.try_get("lat")?,
                phone: r.try_get("phone")?,
                version: r.try_get("version")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        }

        fn admission(r: &DbRow) -> Result<AdmissionRecord, StoreError> {
            let id: String = r.try_get("id")?;
            let item: Option<String> = r.try_get("item_id")?;
            Ok(AdmissionRecord {
                id: Uuid::parse_str(&id).map_err(|e| corrupt("id", e))?,
                facility_id: r.try_get("facility_id")?,
                person: r.try_get("person")?,
                item_id: item
                    .map(|s| Uuid::parse_str(&s).map(ItemId).map_err(|e| corrupt("item_id", e)))
                    .transpose()?,
                adults: r.try_get("adults")?,
                children: r.try_get("children")?,
                admitted_at: r.try_get("admitted_at")?,
                expected_leave: r.try_get("expected_leave")?,
                admitted_by: r.try_get("admitted_by")?,
                discharged_at: r.try_get("discharged_at")?,
                discharged_by: r.try_get("discharged_by")?,
                arrived_at: r.try_get("arrived_at")?,
                arrived_by: r.try_get("arrived_by")?,
            })
        }

        const FACILITY_COLUMNS: &str = "id, provider_id, name, kind, adult_places, \
            child_places, cold_extra_places, stay_limit_days, address, lon, lat, phone, \
            version, created_at, updated_at";

        #[async_trait]
        impl BedsStore for $store {
            #[instrument(skip_all, fields(provider = %p.id))]
            async fn insert_provider(&self, p: &ProviderRecord) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO bed_providers (id, name, kind, phone, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&p.id)
                .bind(&p.name)
                .bind(&p.kind)
                .bind(&p.phone)
                .bind(p.created_at)
                .bind(p.updated_at)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(provider = %p.id))]
            async fn update_provider(&self, p: &ProviderRecord) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE bed_providers SET name = $1, kind = $2, phone = $3, updated_at = $4 \
                     WHERE id = $5",
                )
                .bind(&p.name)
                .bind(&p.kind)
                .bind(&p.phone)
                .bind(p.updated_at)
                .bind(&p.id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn providers(&self) -> Result<Vec<ProviderRecord>, StoreError> {
                let rows = sqlx::query("SELECT * FROM bed_providers ORDER BY name, id")
                    .fetch_all(self.writer())
                    .await?;
                rows.iter().map(provider).collect()
            }

            #[instrument(skip_all, fields(facility = %f.id))]
            async fn insert_facility(&self, f: &FacilityRecord) -> Result<bool, StoreError> {
                let done = sqlx::query(&format!(
                    "INSERT INTO bed_facilities ({FACILITY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, \
                     $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING"
                ))
                .bind(&f.id)
                .bind(&f.provider_id)
                .bind(&f.name)
                .bind(&f.kind)
                .bind(f.adult_places)
                .bind(f.child_places)
                .bind(f.cold_extra_places)
                .bind(f.stay_limit_days)
                .bind(&f.address)
                .bind(f.lon)
                .bind(f.lat)
                .bind(&f.phone)
                .bind(f.version)
                .bind(f.created_at)
                .bind(f.updated_at)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(facility = %f.id))]
            async fn update_facility(&self, f: &FacilityRecord) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE bed_facilities SET provider_id = $1, name = $2, kind = $3, \
                     adult_places = $4, child_places = $5, cold_extra_places = $6, \
                     stay_limit_days = $7, address = $8, lon = $9, lat = $10, phone = $11, \
                     version = version + 1, updated_at = $12 WHERE id = $13",
                )
                .bind(&f.provider_id)
                .bind(&f.name)
                .bind(&f.kind)
                .bind(f.adult_places)
                .bind(f.child_places)
                .bind(f.cold_extra_places)
                .bind(f.stay_limit_days)
                .bind(&f.address)
                .bind(f.lon)
                .bind(f.lat)
                .bind(&f.phone)
                .bind(f.updated_at)
                .bind(&f.id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn facility(&self, id: &str) -> Result<Option<FacilityRecord>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT {FACILITY_COLUMNS} FROM bed_facilities WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(self.writer())
                .await?;
                row.as_ref().map(facility).transpose()
            }

            async fn facilities(&self) -> Result<Vec<(FacilityRecord, Occupancy)>, StoreError> {
                // Read on the writer: a list right after an admission shows it. (SUM of a
                // BIGINT is NUMERIC on PostgreSQL: cast back.)
                let rows = sqlx::query(
                    "SELECT f.*, CAST(COALESCE(o.adults, 0) AS BIGINT) AS taken_adults, \
                     CAST(COALESCE(o.children, 0) AS BIGINT) AS taken_children \
                     FROM bed_facilities f \
                     LEFT JOIN (SELECT facility_id, SUM(adults) AS adults, \
                     SUM(children) AS children FROM bed_admissions \
                     WHERE discharged_at IS NULL GROUP BY facility_id) o \
                     ON o.facility_id = f.id ORDER BY f.kind, f.name, f.id",
                )
                .fetch_all(self.writer())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            facility(r)?,
                            Occupancy {
                                adults: r.try_get("taken_adults")?,
                                children: r.try_get("taken_children")?,
                            },
                        ))
                    })
                    .collect()
            }

            #[instrument(skip_all, fields(facility = %a.facility_id, admission = %a.id))]
            async fn admit(
                &self,
                a: &AdmissionRecord,
                fits: &FitsFn,
            ) -> Result<Admitted, StoreError> {
                let mut tx = self.writer().begin().await?;
                // Locks the facility's row until commit (PostgreSQL; SQLite's one writer
                // connection already serialises), so the count below stays true.
                let row = sqlx::query(&format!(
                    "SELECT {FACILITY_COLUMNS} FROM bed_facilities WHERE id = $1{}",
                    <$store as Dialect>::FOR_UPDATE
                ))
                .bind(&a.facility_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(Admitted::UnknownFacility);
                };
                let f = facility(&row)?;
                let taken = sqlx::query(
                    "SELECT CAST(COALESCE(SUM(adults), 0) AS BIGINT) AS adults, \
                     CAST(COALESCE(SUM(children), 0) AS BIGINT) AS children FROM bed_admissions \
                     WHERE facility_id = $1 AND discharged_at IS NULL",
                )
                .bind(&a.facility_id)
                .fetch_one(&mut *tx)
                .await?;
                let occupancy = Occupancy {
                    adults: taken.try_get("adults")?,
                    children: taken.try_get("children")?,
                };
                if !fits(&f, occupancy) {
                    return Ok(Admitted::Full);
                }
                sqlx::query(
                    "INSERT INTO bed_admissions (id, facility_id, person, item_id, adults, \
                     children, admitted_at, expected_leave, admitted_by, arrived_at, arrived_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(a.id.to_string())
                .bind(&a.facility_id)
                .bind(&a.person)
                .bind(a.item_id.map(|i| i.to_string()))
                .bind(a.adults)
                .bind(a.children)
                .bind(a.admitted_at)
                .bind(a.expected_leave)
                .bind(&a.admitted_by)
                .bind(a.arrived_at)
                .bind(&a.arrived_by)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE bed_facilities SET version = version + 1 WHERE id = $1")
                    .bind(&a.facility_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Admitted::Done(Box::new(a.clone())))
            }

            #[instrument(skip_all, fields(admission = %id))]
            async fn discharge(
                &self,
                id: Uuid,
                by: &str,
                at: DateTime<Utc>,
            ) -> Result<Option<AdmissionRecord>, StoreError> {
                sqlx::query(
                    "UPDATE bed_admissions SET discharged_at = $1, discharged_by = $2 \
                     WHERE id = $3 AND discharged_at IS NULL",
                )
                .bind(at)
                .bind(by)
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                self.admission(id).await
            }

            #[instrument(skip_all, fields(admission = %id))]
            async fn mark_arrived(
                &self,
                id: Uuid,
                by: &str,
                at: DateTime<Utc>,
            ) -> Result<Option<AdmissionRecord>, StoreError> {
                sqlx::query(
                    "UPDATE bed_admissions SET arrived_at = $1, arrived_by = $2 \
                     WHERE id = $3 AND arrived_at IS NULL AND discharged_at IS NULL",
                )
                .bind(at)
                .bind(by)
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                self.admission(id).await
            }

            async fn admission(&self, id: Uuid) -> Result<Option<AdmissionRecord>, StoreError> {
                let row = sqlx::query("SELECT * FROM bed_admissions WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(admission).transpose()
            }

            async fn open_admissions(
                &self,
                facility: Option<&str>,
            ) -> Result<Vec<AdmissionRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM bed_admissions WHERE discharged_at IS NULL \
                     AND ($1 IS NULL OR facility_id = $1) ORDER BY admitted_at, id LIMIT 2000",
                )
                .bind(facility)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(admission).collect()
            }

            async fn overstays(
                &self,
                now: DateTime<Utc>,
            ) -> Result<Vec<AdmissionRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM bed_admissions WHERE discharged_at IS NULL \
                     AND expected_leave < $1 ORDER BY expected_leave, id LIMIT 2000",
                )
                .bind(now)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(admission).collect()
            }

            async fn admissions_for_item(
                &self,
                item: ItemId,
            ) -> Result<Vec<AdmissionRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM bed_admissions WHERE item_id = $1 ORDER BY admitted_at, id",
                )
                .bind(item.to_string())
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(admission).collect()
            }

            async fn cold_switch(&self) -> Result<Option<ColdSwitch>, StoreError> {
                let row = sqlx::query("SELECT * FROM bed_cold_weather WHERE id = 1")
                    .fetch_optional(self.writer())
                    .await?;
                row.map(|r| {
                    Ok(ColdSwitch {
                        mode: r.try_get("mode")?,
                        reason: r.try_get("reason")?,
                        set_by: r.try_get("set_by")?,
                        set_at: r.try_get("set_at")?,
                    })
                })
                .transpose()
            }

            #[instrument(skip_all, fields(mode = %s.mode))]
            async fn set_cold_switch(&self, s: &ColdSwitch) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO bed_cold_weather (id, mode, reason, set_by, set_at) \
                     VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
                     mode = excluded.mode, reason = excluded.reason, \
                     set_by = excluded.set_by, set_at = excluded.set_at",
                )
                .bind(&s.mode)
                .bind(&s.reason)
                .bind(&s.set_by)
                .bind(s.set_at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO bed_cold_weather_log (id, mode, reason, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(&s.mode)
                .bind(&s.reason)
                .bind(&s.set_by)
                .bind(s.set_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn put_temperature(&self, t: &TemperatureReading) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO bed_temperatures (id, celsius, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(t.celsius)
                .bind(&t.recorded_by)
                .bind(t.recorded_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn latest_temperature(&self) -> Result<Option<TemperatureReading>, StoreError> {
                let row = sqlx::query(
                    "SELECT * FROM bed_temperatures ORDER BY recorded_at DESC, id DESC LIMIT 1",
                )
                .fetch_optional(self.writer())
                .await?;
                row.map(|r| {
                    Ok(TemperatureReading {
                        celsius: r.try_get("celsius")?,
                        recorded_by: r.try_get("recorded_by")?,
                        recorded_at: r.try_get("recorded_at")?,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) mod sqlite {
    beds_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    beds_queries!(crate::store::PgStore);
}
