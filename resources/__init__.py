"""Data files shipped with ChatDesk (translations, icons), installed as chatdesk.resources."""
