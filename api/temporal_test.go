package api_test

import (
	"go.temporal.io/sdk/client"

	"github.com/paygate/paygate/gatewaytest"
)

func clientOptions(gw *gatewaytest.Stack, id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: gw.Config.TaskQueue}
}
