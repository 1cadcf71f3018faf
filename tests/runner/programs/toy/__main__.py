import pulumi
from toyprov import Toy

cfg = pulumi.Config()
read = Toy("read-me", int(cfg.get("n") or 3))
made = Toy("make-me", int(cfg.get("made") or 5), read=False)
later = Toy("read-later", made.double.apply(lambda d: int(d) + 1))

pulumi.export("read_double", read.double)
pulumi.export("read_greeting", read.greeting)
pulumi.export("made_how", made.how)
pulumi.export("later_double", later.double)
pulumi.export("secret_value", pulumi.Output.secret("s3cr3t"))
