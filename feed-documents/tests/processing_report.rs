//! The XML processing report: Amazon's recorded reports, tolerance, and results tied back
//! to the messages of the feed.

use amazon_feed_documents::processing_report::{OutcomeState, ReportStatus, ResultCode};
use amazon_feed_documents::{Envelope, ProcessingReport};
use proptest::prelude::*;

fn sample(name: &str) -> Option<String> {
    let dir = amz_testkit::shared_dir(name)?;
    let path = amz_testkit::shared_file(&dir, &format!("mws-samples/{name}"));
    Some(std::fs::read_to_string(path).unwrap())
}

#[test]
fn recorded_reports_read_and_tie_back() {
    let Some(xml) =
        sample("FeedProcessingReport.OrderFulfillment.error18021.captured.spree-2013.xml")
    else {
        return;
    };
    let r = ProcessingReport::from_xml(&xml).unwrap();
    assert_eq!(r.document_transaction_id, "8252984128");
    assert_eq!(r.status_code, Some(ReportStatus::Complete));
    let outcome = r.outcome(1);
    assert_eq!(outcome.state, OutcomeState::Failed);
    assert_eq!(outcome.results[0].result_message_code, 18021);
    assert_eq!(
        outcome.results[0]
            .additional_info
            .as_ref()
            .and_then(|a| a.amazon_order_id.as_deref()),
        Some("103-6652650-4045858")
    );
    assert!(!r.is_success());

    let Some(xml) =
        sample("FeedProcessingReport.OrderFulfillment.success.real.spree-2013-10-23.xml")
    else {
        return;
    };
    let r = ProcessingReport::from_bytes(xml.as_bytes()).unwrap();
    assert!(r.is_success());
    assert_eq!(r.outcome(1).state, OutcomeState::Accepted);

    // The documentation's example has no status and no summary.
    let Some(xml) = sample("FeedProcessingReport.docs-example.xml") else {
        return;
    };
    let r = ProcessingReport::from_xml(&xml).unwrap();
    assert_eq!(r.status_code, None);
    assert_eq!(r.outcome(1).state, OutcomeState::Accepted);
    let envelope = Envelope::from_xml(&xml).unwrap();
    assert_eq!(envelope.merchant_identifier, "T_M_GOOD_83835495");
}

#[test]
fn tolerant_of_namespaces_order_latin1_and_document_level_results() {
    let xml = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\
        <ProcessingReport xmlns=\"urn:x\"><Result><ResultCode>Error</ResultCode>\
        <ResultDescription>XML Parsing Fatal Error at Line 1: caf\xe9</ResultDescription>\
        <ResultMessageCode>5001</ResultMessageCode></Result>\
        <StatusCode>Complete</StatusCode><DocumentTransactionID>77</DocumentTransactionID>\
        <ProcessingSummary><MessagesProcessed>0</MessagesProcessed></ProcessingSummary>\
        <Unexpected/></ProcessingReport>";
    let r = ProcessingReport::from_bytes(xml).unwrap();
    assert_eq!(r.document_transaction_id, "77");
    assert_eq!(r.results[0].message_id, 0, "a document-level result");
    assert!(r.results[0].result_description.ends_with("café"));
    let s = r.summary.unwrap();
    assert_eq!((s.messages_processed, s.messages_with_error), (0, 0));
    // A document-level error fails every message.
    assert_eq!(r.outcome(3).state, OutcomeState::Failed);
    assert!(ProcessingReport::from_xml("<Nope/>").is_err());
}

#[test]
fn outcomes_of_pending_rejected_and_unprocessed_reports() {
    let report = |status: &str, processed: u64| {
        format!(
            "<AmazonEnvelope><Message><MessageID>1</MessageID><ProcessingReport>\
             <DocumentTransactionID>1</DocumentTransactionID><StatusCode>{status}</StatusCode>\
             <ProcessingSummary><MessagesProcessed>{processed}</MessagesProcessed>\
             <MessagesSuccessful>{processed}</MessagesSuccessful><MessagesWithError>0</MessagesWithError>\
             <MessagesWithWarning>1</MessagesWithWarning></ProcessingSummary>\
             <Result><MessageID>2</MessageID><ResultCode>Warning</ResultCode>\
             <ResultMessageCode>99</ResultMessageCode><ResultDescription>w</ResultDescription></Result>\
             </ProcessingReport></Message></AmazonEnvelope>"
        )
    };
    let r = ProcessingReport::from_xml(&report("Complete", 2)).unwrap();
    let o = r.outcome(2);
    assert_eq!(o.state, OutcomeState::Accepted);
    assert_eq!(o.results[0].result_code, ResultCode::Warning);
    assert_eq!(r.outcome(3).state, OutcomeState::NotProcessed);
    let r = ProcessingReport::from_xml(&report("Processing", 0)).unwrap();
    assert_eq!(r.outcome(1).state, OutcomeState::Pending);
    let r = ProcessingReport::from_xml(&report("Rejected", 0)).unwrap();
    assert_eq!(r.outcome(1).state, OutcomeState::Failed);
}

fn text() -> impl Strategy<Value = String> {
    "[!-~äé日][ -~äé日]{0,30}[!-~äé日]"
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

proptest! {
    #[test]
    fn generated_reports_read_back(
        id in "[0-9]{1,12}",
        results in proptest::collection::vec((0u64..50, any::<bool>(), 1u64..100_000, text(), proptest::option::of("[A-Z0-9-]{1,20}")), 0..10),
    ) {
        let mut xml = format!(
            "<?xml version=\"1.0\"?><AmazonEnvelope><Header><DocumentVersion>1.02</DocumentVersion></Header>\
             <MessageType>ProcessingReport</MessageType><Message><MessageID>1</MessageID><ProcessingReport>\
             <DocumentTransactionID>{id}</DocumentTransactionID><StatusCode>Complete</StatusCode>"
        );
        for (msg, error, code, description, sku) in &results {
            xml += &format!(
                "<Result><MessageID>{msg}</MessageID><ResultCode>{}</ResultCode><ResultMessageCode>{code}</ResultMessageCode><ResultDescription>{}</ResultDescription>{}</Result>",
                if *error { "Error" } else { "Warning" },
                escape(description),
                sku.as_ref().map(|s| format!("<AdditionalInfo><SKU>{s}</SKU></AdditionalInfo>")).unwrap_or_default(),
            );
        }
        xml += "</ProcessingReport></Message></AmazonEnvelope>";
        let r = ProcessingReport::from_xml(&xml).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&r.document_transaction_id, &id);
        prop_assert_eq!(r.results.len(), results.len());
        for (got, (msg, error, code, description, sku)) in r.results.iter().zip(&results) {
            prop_assert_eq!(got.message_id, *msg);
            prop_assert_eq!(got.result_code == ResultCode::Error, *error);
            prop_assert_eq!(got.result_message_code, *code);
            prop_assert_eq!(&got.result_description, description);
            prop_assert_eq!(got.additional_info.as_ref().and_then(|a| a.sku.clone()), sku.clone());
        }
        for m in 1..50u64 {
            let failed = results.iter().any(|(id, e, ..)| *e && (*id == m || *id == 0));
            prop_assert_eq!(r.outcome(m).state == OutcomeState::Failed, failed);
        }
    }
}
