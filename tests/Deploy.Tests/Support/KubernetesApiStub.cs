using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Deploy.Tests.Support;

/// <summary>
/// The Kubernetes API server as one pod sees it, on loopback: its own pod (GET, merge PATCH of its labels), the pod list
/// for a label selector, and a watch that stays open and says nothing. Records every request.
/// </summary>
public sealed class KubernetesApiStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JsonObject _labels = [];

    private KubernetesApiStub(WebApplication app, string @namespace, string podName, string podIp)
    {
        _app = app;
        Namespace = @namespace;
        PodName = podName;
        PodIp = podIp;
    }

    public string Namespace { get; }

    public string PodName { get; }

    public string PodIp { get; }

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<Request> Requests { get; } = new();

    public static async Task<KubernetesApiStub> StartAsync(string @namespace, string podName, string podIp)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new KubernetesApiStub(app, @namespace, podName, podIp);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        stub.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5).ToCancellationToken());
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        Requests.Enqueue(new Request(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, body));
        var podPath = $"/api/v1/namespaces/{Namespace}/pods/{PodName}";
        var listPath = $"/api/v1/namespaces/{Namespace}/pods";

        if (request.Path == podPath && request.Method == HttpMethods.Get)
        {
            await WriteJsonAsync(context, Pod());
        }
        else if (request.Path == podPath && request.Method == HttpMethods.Patch)
        {
            if (JsonNode.Parse(body)?["metadata"]?["labels"] is JsonObject labels)
            {
                lock (_labels)
                {
                    foreach (var (key, value) in labels)
                    {
                        _labels[key] = value?.DeepClone();
                    }
                }
            }

            await WriteJsonAsync(context, Pod());
        }
        else if (request.Path == listPath && request.Query["watch"] == "true")
        {
            // A watch: headers now, then nothing until the silo hangs up.
            context.Response.ContentType = "application/json";
            await context.Response.Body.FlushAsync(context.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }
        else if (request.Path == listPath && request.Method == HttpMethods.Get)
        {
            await WriteJsonAsync(context, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "PodList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
                ["items"] = new JsonArray(Pod()),
            });
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private JsonObject Pod()
    {
        lock (_labels)
        {
            return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject
                {
                    ["name"] = PodName,
                    ["namespace"] = Namespace,
                    ["resourceVersion"] = "1",
                    ["labels"] = _labels.DeepClone(),
                },
                ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = PodIp },
            };
        }
    }

    private static Task WriteJsonAsync(HttpContext context, JsonNode node)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(node.ToJsonString(JsonSerializerOptions.Default));
    }

    public sealed record Request(string Method, string Path, string Query, string? ContentType, string Body)
    {
        public override string ToString() => $"{Method} {Path}{Query}";
    }
}

internal static class TimeSpanExtensions
{
    public static CancellationToken ToCancellationToken(this TimeSpan timeout) => new CancellationTokenSource(timeout).Token;
}
