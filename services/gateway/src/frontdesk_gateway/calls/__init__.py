"""Voice and video calls over the socket (docs/calls.md): the gateway is the signalling
channel; media goes between the two devices, through TURN when it must."""
