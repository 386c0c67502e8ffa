"""Backprop Tutor's engine: one gradient-descent iteration of a small network, every number recorded.

NumPy computes, SymPy renders; this package never imports Streamlit.
"""

from .catalog import list_presets, load_preset, preset_ids
from .config import ConfigError, Layer, Network, Sample, load_config, parse_config, parse_config_text
from .functions import ACTIVATIONS, LOSSES
from .numbers import format_number, parse_number, round_half_up
from .trace import PHASES, Given, Step, Trace, compute_trace, givens_of, parse_step_id, step_id, with_givens

__all__ = [
    "ACTIVATIONS", "LOSSES", "PHASES", "ConfigError", "Given", "Layer", "Network", "Sample", "Step", "Trace",
    "compute_trace", "format_number", "givens_of", "list_presets", "load_config", "load_preset", "parse_config",
    "parse_config_text", "parse_number", "parse_step_id", "preset_ids", "round_half_up", "step_id", "with_givens",
]
