"""Controllers: the layer between the widgets (chatdesk.ui) and the engine (chatdesk.core).

Controllers turn widget signals into core calls and core events into widget updates.
They never build requests or touch HTTP (that is core's job) and never lay out
widgets (that is the ui's job).
"""
