"""The Textual cockpit: screens, widgets and TCSS. Reads only through `finops_tui.contract.reader.CostReader`."""
