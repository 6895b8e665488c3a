package workflows

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Search attributes every payment and refund workflow carries, so operators can filter in the
// Web UI, e.g. MerchantId="…" AND PaymentStatus="failed". They are set when the workflow starts
// (no extra write) and PaymentStatus is upserted once, with the outcome.
var (
	MerchantIDAttr    = temporal.NewSearchAttributeKeyKeyword("MerchantId")
	OrderIDAttr       = temporal.NewSearchAttributeKeyKeyword("OrderId")
	PaymentIDAttr     = temporal.NewSearchAttributeKeyKeyword("PaymentId")
	PaymentMethodAttr = temporal.NewSearchAttributeKeyKeyword("PaymentMethod")
	PaymentStatusAttr = temporal.NewSearchAttributeKeyKeyword("PaymentStatus")
	AmountAttr        = temporal.NewSearchAttributeKeyInt64("Amount")
)

// SearchAttributeTypes are the custom search attributes to register in the namespace.
var SearchAttributeTypes = map[string]enumspb.IndexedValueType{
	MerchantIDAttr.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	OrderIDAttr.GetName():       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	PaymentIDAttr.GetName():     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	PaymentMethodAttr.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	PaymentStatusAttr.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	AmountAttr.GetName():        enumspb.INDEXED_VALUE_TYPE_INT,
}

// RegisterSearchAttributes adds the gateway's search attributes to a namespace of an external
// Temporal cluster (`gateway migrate --temporal`), leaving those that exist.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	existing, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range SearchAttributeTypes {
		if _, ok := existing.CustomAttributes[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

func paymentAttributes(in PaymentInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		MerchantIDAttr.ValueSet(in.MerchantID),
		OrderIDAttr.ValueSet(in.OrderID),
		PaymentIDAttr.ValueSet(in.PaymentID),
		PaymentMethodAttr.ValueSet(in.Method),
		PaymentStatusAttr.ValueSet("pending"),
		AmountAttr.ValueSet(in.Amount),
	)
}

// deliveryAttributes are a WebhookDeliveryWorkflow's: its merchant, the payment its event is
// about (none for webhook.test), and the delivery's status, pending until it ends delivered
// (success) or not (failed).
func deliveryAttributes(d Delivery) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{MerchantIDAttr.ValueSet(d.MerchantID), PaymentStatusAttr.ValueSet("pending")}
	if d.PaymentID != "" {
		updates = append(updates, PaymentIDAttr.ValueSet(d.PaymentID))
	}
	return temporal.NewSearchAttributes(updates...)
}

func refundAttributes(in RefundInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		MerchantIDAttr.ValueSet(in.MerchantID),
		PaymentIDAttr.ValueSet(in.PaymentID),
		PaymentStatusAttr.ValueSet("pending"),
		AmountAttr.ValueSet(in.Amount),
	)
}
