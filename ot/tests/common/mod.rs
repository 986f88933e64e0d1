//! What the OT integration tests share.

use crypto::Block;
use ot::{BaseOtHello, BaseOtReply, OtReceiver, OtSender, Security};

/// A set-up session (messages through their encodings): the sender, the
/// receiver and Delta.
pub fn session(security: Security) -> (OtSender, OtReceiver, Block) {
    let delta = Block(Block::random().0 | 1);
    let (setup, hello) = OtReceiver::setup(security);
    let hello = BaseOtHello::decode(&hello.encode()).unwrap();
    let (sender, reply) = OtSender::setup(delta, security, &hello).unwrap();
    let receiver = setup
        .finish(&BaseOtReply::decode(&reply.encode()).unwrap())
        .unwrap();
    (sender, receiver, delta)
}
