"""Message components: page buttons and 'did you mean' buttons.

Every item is a :class:`discord.ui.DynamicItem` whose ``custom_id`` carries all it needs
(command, page, language, filters, entity key), so buttons keep working after a restart and
nothing is held in memory per message.
"""
