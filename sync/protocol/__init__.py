"""The wire format shared by the client and the relay (version 2; see docs/protocol.md)."""

from sync.protocol.commit import (
    ACTIONS,
    Commit,
    add_members,
    change_role,
    close_operation,
    create_commit,
    create_genesis,
    decode_commit,
    open_epoch_secret,
    remove_members,
    rotate_key,
    verify_chain,
    verify_closing,
    verify_genesis,
    verify_next,
)
from sync.protocol.direct import DirectHeader, SignedDirect, parse_direct, verify_direct_signature
from sync.protocol.invite import (
    Invite,
    check_invited_chain,
    encode_invite,
    invitation_id,
    new_invite,
    parse_invite,
)
from sync.protocol.join import (
    JoinRequest,
    build_join_request,
    decode_join_request,
    open_join_request,
)
from sync.protocol.package import (
    PackageHeader,
    SignedPackage,
    assemble_package,
    parse_package,
    verify_package_signature,
)
from sync.protocol.roster import ROLES, Member, OperationInfo
from sync.protocol.wire import PROTOCOL_VERSION

__all__ = [
    "parse_invite",
    "new_invite",
    "encode_invite",
    "Invite",
    "verify_direct_signature",
    "parse_direct",
    "SignedDirect",
    "DirectHeader",
    "ACTIONS",
    "PROTOCOL_VERSION",
    "ROLES",
    "Commit",
    "JoinRequest",
    "Member",
    "OperationInfo",
    "PackageHeader",
    "SignedPackage",
    "add_members",
    "assemble_package",
    "build_join_request",
    "change_role",
    "create_commit",
    "create_genesis",
    "decode_commit",
    "decode_join_request",
    "open_epoch_secret",
    "parse_package",
    "remove_members",
    "rotate_key",
    "invitation_id",
    "check_invited_chain",
    "open_join_request",
    "close_operation",
    "verify_closing",
    "verify_chain",
    "verify_genesis",
    "verify_next",
    "verify_package_signature",
]
