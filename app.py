"""zcps entry point: ``app = create_app()``; ``python app.py [--demo] [--host H] [--port P]``."""
import argparse
import os

from zcps import create_app

app = create_app()


def main(argv=None):
    parser = argparse.ArgumentParser(description="职称申报评审管理服务平台（用人单位端）")
    parser.add_argument("--demo", action="store_true", help="空数据库时载入演示数据并打印演示账号")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=5000, help="端口（默认 5000）")
    parser.add_argument("--debug", action="store_true", help="开发调试模式")
    args = parser.parse_args(argv)

    from zcps.catalogue import seed_catalogue, seed_opinion_templates
    from zcps.cli import print_sign_ins
    from zcps.database import upgrade_to_head
    from zcps.demo import load_demo
    from zcps.extensions import db

    with app.app_context():
        upgrade_to_head()
        # A new database starts with the common title series and opinion sentences.
        if seed_catalogue() + seed_opinion_templates():
            db.session.commit()
        if args.demo:
            load_demo()
            print_sign_ins()
    # The development server speaks plain http: Secure cookies would never come back.
    if "SESSION_COOKIE_SECURE" not in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    print(f"zcps 已启动： http://{args.host}:{args.port}/", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=False)


if __name__ == "__main__":
    main()
