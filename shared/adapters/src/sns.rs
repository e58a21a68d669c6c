//! Notifications to SNS. The approvals topic is FIFO: the message deduplication id is the
//! transition id (a republish within 5 minutes is dropped by SNS), the group is the record
//! (per-record order). Attributes let subscribers filter by audience, branch and event.

use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;
use domain::banking::Notification;
use domain::banking::approval::Audience;
use domain::banking::relay::Publisher;
use domain::ports::PortError;

pub struct SnsPublisher {
    client: Client,
    topic_arn: String,
    compliance_topic_arn: Option<String>,
}

impl SnsPublisher {
    /// `topic_arn`: approvers and makers; `compliance_topic_arn`: AML alerts.
    pub fn new(client: Client, topic_arn: impl Into<String>, compliance_topic_arn: Option<String>) -> Self {
        Self { client, topic_arn: topic_arn.into(), compliance_topic_arn }
    }
}

pub fn client(config: &aws_config::SdkConfig) -> Client {
    Client::new(config)
}

fn attr(v: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder().data_type("String").string_value(v).build().expect("type and value set")
}

impl Publisher for SnsPublisher {
    async fn publish(&self, n: &Notification) -> Result<(), PortError> {
        let (audience, target_key, target) = match &n.audience {
            Audience::Approvers { branch } => ("approvers", "branch", branch.as_str()),
            Audience::Maker { sub } => ("maker", "recipient", sub.as_str()),
            Audience::Compliance => ("compliance", "entity", n.entity.as_str()),
        };
        let topic = match (&n.audience, &self.compliance_topic_arn) {
            (Audience::Compliance, Some(t)) => t,
            (Audience::Compliance, None) => {
                return Err(PortError::Unavailable("no compliance topic configured".into()));
            }
            _ => &self.topic_arn,
        };
        let mut req = self
            .client
            .publish()
            .topic_arn(topic)
            .message(serde_json::to_string(n).expect("notification serialises"))
            .message_attributes("event", attr(&n.event))
            .message_attributes("audience", attr(audience))
            .message_attributes(target_key, attr(target));
        if topic.ends_with(".fifo") {
            req = req.message_group_id(&n.entity_key).message_deduplication_id(&n.id);
        }
        req.send().await.map_err(|e| {
            PortError::Unavailable(format!("sns:Publish: {}", aws_sdk_sns::error::DisplayErrorContext(&e)))
        })?;
        Ok(())
    }
}
