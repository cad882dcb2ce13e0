"""Flint's Chalice app: wiring only. Every rule lives in chalicelib/."""

from chalice import Chalice, CORSConfig, Rate

from chalicelib.api.audiences import audiences_blueprint
from chalicelib.api.authorizer import authorizer_blueprint
from chalicelib.api.brand_pages import brand_pages_blueprint
from chalicelib.api.brands import brands_blueprint
from chalicelib.api.catalog import catalog_blueprint
from chalicelib.api.discovery import discovery_blueprint
from chalicelib.api.events import events_blueprint
from chalicelib.api.feeds import feeds_blueprint
from chalicelib.api.inbox import inbox_blueprint
from chalicelib.api.media import media_blueprint
from chalicelib.api.members import members_blueprint
from chalicelib.api.posts import posts_blueprint
from chalicelib.api.rights import rights_blueprint
from chalicelib.api.routing import contract_errors
from chalicelib.api.safety import safety_blueprint
from chalicelib.api.search import search_blueprint
from chalicelib.api.social import social_blueprint
from chalicelib.api.system import system_blueprint
from chalicelib.observability import flush_metrics, log_context, trace
from chalicelib.settings import get_settings

app = Chalice(app_name="flint")
# The site's origin in AWS (SiteOrigin, via FLINT_CORS_ORIGIN); "*" only locally.
app.api.cors = CORSConfig(
    allow_origin=get_settings().cors_origin,
    allow_headers=["Authorization", "Content-Type", "X-Flint-Session"],
    max_age=600,
)

# Outermost: a failure in any middleware below (or the metrics flush) answers the contract's 500.
app.register_middleware(contract_errors, "http")
app.register_middleware(log_context)  # Powertools' logger.inject_lambda_context(clear_state=True)
app.register_middleware(flush_metrics)  # Powertools' metrics.log_metrics
app.register_middleware(trace)

app.register_blueprint(authorizer_blueprint)
app.register_blueprint(system_blueprint)
app.register_blueprint(members_blueprint)
app.register_blueprint(catalog_blueprint)
app.register_blueprint(media_blueprint)
app.register_blueprint(posts_blueprint)
app.register_blueprint(social_blueprint)
app.register_blueprint(feeds_blueprint)
app.register_blueprint(events_blueprint)
app.register_blueprint(brands_blueprint)
app.register_blueprint(brand_pages_blueprint)
app.register_blueprint(inbox_blueprint)
app.register_blueprint(safety_blueprint)
app.register_blueprint(search_blueprint)
app.register_blueprint(rights_blueprint)
app.register_blueprint(audiences_blueprint)
app.register_blueprint(discovery_blueprint)


# Event handlers import their module on first use: Powertools' batch processing and the stream
# record types load only in the function that needs them, never in the API or the authorizer.


@app.on_sqs_message(queue=get_settings().thumbnail_queue, batch_size=10)
def thumbnail_worker(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import thumbnails

    return thumbnails.handle(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.DAYS), name="enthusiast_job")
def enthusiast_job(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import schedules

    return schedules.enthusiast_job(event.to_dict())


@app.schedule(Rate(get_settings().refresh_rate_minutes, unit=Rate.MINUTES), name="feed_planner")
def feed_planner(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import feeds

    return feeds.planner(event.to_dict())


@app.on_sqs_message(queue=get_settings().feed_refresh_queue, batch_size=10, name="feed_worker")
def feed_worker(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import feeds

    return feeds.worker(event.to_dict(), event.context)


@app.on_sqs_message(queue=get_settings().engagement_queue, batch_size=10, name="engagement_worker")
def engagement_worker(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import engagement

    return engagement.event_worker(event.to_dict(), event.context)


@app.on_sqs_message(queue=get_settings().erasure_queue, batch_size=1, name="erasure_worker")
def erasure_worker(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import erasure

    return erasure.worker(event.to_dict(), event.context)


@app.on_dynamodb_record(stream_arn=get_settings().table_stream_arn, batch_size=100, name="stream_worker")
def stream_worker(event):  # type: ignore[no-untyped-def]
    from chalicelib.handlers import stream

    # Every consumer of the stream, in order, on records decoded once (handlers/stream.py).
    return stream.worker(event.to_dict(), event.context)
