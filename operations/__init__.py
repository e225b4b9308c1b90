"""Operations and business continuity: the served address, backups, incidents, paper tickets."""
