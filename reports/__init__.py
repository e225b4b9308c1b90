"""Reports for managers: GECC speed evidence, satisfaction survey, exports."""
