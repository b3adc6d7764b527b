"""invitations domain: joining an organisation by an invitation its invitee accepts."""
