"""Where locations are relative to each other: distances and which warehouse serves which store."""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.replenishment.config import PolicyConfig

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def distance_table(locations: pd.DataFrame) -> pd.DataFrame:
    """Square frame of km between every pair of location codes."""
    lat, lon = locations["latitude"].to_numpy(), locations["longitude"].to_numpy()
    km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    return pd.DataFrame(km, index=locations["code"].to_numpy(), columns=locations["code"].to_numpy())


def pair_km(distances: pd.DataFrame, sources: pd.Series, targets: pd.Series) -> np.ndarray:
    """km from each source code to the target code beside it (NaN where either is missing or unknown)."""
    source = distances.index.get_indexer(pd.Series(sources).fillna("").to_numpy())
    target = distances.columns.get_indexer(pd.Series(targets).fillna("").to_numpy())
    km = distances.to_numpy()[np.maximum(source, 0), np.maximum(target, 0)]
    return np.where((source >= 0) & (target >= 0), km, np.nan)


def transfer_days(km: np.ndarray, config: PolicyConfig) -> np.ndarray:
    """Days a transfer over `km` takes: the nearby lead time, plus a day per `transfer_km_per_day`
    on the road (NaN stays NaN)."""
    return config.transfer_lead_time_days + np.floor(np.asarray(km, dtype=float) / config.transfer_km_per_day)


def serving_warehouse(locations: pd.DataFrame) -> pd.Series:
    """The nearest warehouse of each store (store code -> warehouse code); empty without warehouses."""
    stores = locations[locations["kind"] == "store"]
    warehouses = locations[locations["kind"] == "warehouse"]
    if warehouses.empty:
        return pd.Series(dtype=object)
    km = haversine_km(
        stores["latitude"].to_numpy()[:, None], stores["longitude"].to_numpy()[:, None],
        warehouses["latitude"].to_numpy()[None, :], warehouses["longitude"].to_numpy()[None, :],
    )
    return pd.Series(warehouses["code"].to_numpy()[km.argmin(axis=1)], index=stores["code"].to_numpy())
