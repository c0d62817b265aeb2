"""Channel gateways behind the one notifier interface (`notifications.message.Gateway`)."""
